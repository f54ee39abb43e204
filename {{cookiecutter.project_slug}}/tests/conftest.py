"""Fixtures shared by every test: a fixed clock, and a local moto server for the AWS adapters.

The moto server starts once per test session, and only if a test asks for it; each test that
uses tables gets fresh, uniquely named ones built from serverless.yml.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from tests.support.moto_server import MotoServer
from tests.support.region import REGION
from tests.support.tables import create_tables, delete_tables, table_schemas

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.registry import MODULES

# Each module's own fixtures (tests/api/fixtures_<module>.py), for the modules the registry lists.
pytest_plugins = [
    f"tests.api.fixtures_{name}"
    for name in MODULES
    if importlib.util.find_spec(f"tests.api.fixtures_{name}") is not None
]


@pytest.fixture(scope="session", autouse=True)
def fake_aws_credentials() -> Iterator[None]:
    """No test can reach a real AWS account: credentials are fake and profiles are ignored."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
            env.delenv(name, raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.setenv("AWS_REGION", REGION)
        env.setenv("AWS_CONFIG_FILE", "/dev/null")
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        yield


@pytest.fixture(scope="session")
def moto_server(fake_aws_credentials: None) -> Iterator[MotoServer]:
    """A real moto server for the session; AWS_ENDPOINT_URL points every boto3 client at it."""
    server = MotoServer().start()
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("AWS_ENDPOINT_URL", server.endpoint_url)
            yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dynamodb_client(moto_server: MotoServer) -> Any:
    return boto3.client("dynamodb")


@pytest.fixture(scope="session")
def events_client(moto_server: MotoServer) -> Any:
    return boto3.client("events")


@pytest.fixture(scope="session")
def sqs_client(moto_server: MotoServer) -> Any:
    return boto3.client("sqs")


@pytest.fixture(scope="session")
def table_definitions() -> dict[str, dict[str, Any]]:
    """CreateTable arguments of every table in serverless.yml, by logical id."""
    return table_schemas()


@pytest.fixture
def aws_tables(
    dynamodb_client: Any, table_definitions: dict[str, dict[str, Any]]
) -> Iterator[dict[str, str]]:
    """Fresh tables for one test: logical id (e.g. WalletTable) -> table name."""
    names = create_tables(dynamodb_client, table_definitions)
    yield names
    delete_tables(dynamodb_client, names)


@pytest.fixture
def clock() -> FixedClock:
    """A clock that stands still at a known moment until the test advances it."""
    return FixedClock(datetime(2030, 1, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    """Collects published events in `.events`."""
    return InMemoryEventPublisher()
