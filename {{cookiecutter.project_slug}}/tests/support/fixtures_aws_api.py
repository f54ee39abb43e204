"""The AWS app for the tests that need a real store between requests: on the moto server's tables.

Loaded by tests/conftest.py by its name (an AWS file). `aws_api` serves the attacks that need a real store
between the requests (races, and checks made inside a DynamoDB transaction).
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.aws_parts import PARTS
from tests.api.http_api import ApiClient
from tests.support.tables import stack_environment

from {{ cookiecutter.package_name }}.api.aws import aws_app


@pytest.fixture
def aws_api(monkeypatch: pytest.MonkeyPatch, aws_tables: dict[str, str], events_client: Any) -> ApiClient:
    """The AWS app on the moto server's tables and a fresh bus."""
    stack_environment(monkeypatch, events_client, aws_tables)
    for part in PARTS:
        if hasattr(part, "environment"):
            part.environment(monkeypatch)
    return ApiClient(aws_app())
