"""The attack tests drive the same app as the API tests: in-memory adapters, HTTP API events.

`aws_api` is the AWS app instead, on the moto server's tables: for the attacks that need a real store
between the requests (races, and checks made inside a DynamoDB transaction).
"""

from typing import Any

import pytest
from tests.api.aws_parts import PARTS
from tests.api.conftest import *  # noqa: F403 - the API tests' fixtures (app, services, wallet)
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
