"""The AWS project's test fixtures: a local moto server, and fresh tables built from serverless.yml.

Loaded by tests/conftest.py by its name (an AWS file: a project on another cloud has its own
fixtures_<provider>.py instead). The moto server starts once per test session, and only if a test asks
for it; each test that uses tables gets fresh, uniquely named ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from tests.support.moto_server import MotoServer
from tests.support.region import REGION
from tests.support.tables import create_tables, delete_tables, table_schemas


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
def s3_client(moto_server: MotoServer) -> Any:
    return boto3.client("s3")


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
