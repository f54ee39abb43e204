"""The scheduled jobs' real stores on AWS for the shared contract suites: DynamoDB on the moto server.

tests/contract/test_jobs_store_contract.py runs every test against the in-memory stores and against
`real_session_housekeeping`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_scheduled_jobs.py.
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_jobs import DynamoSessionHousekeeping
from {{ cookiecutter.package_name }}.adapters.dynamodb_sessions import DynamoSessionStore
from {{ cookiecutter.package_name }}.ports.scheduled_jobs import SessionHousekeeping
from {{ cookiecutter.package_name }}.ports.sessions import SessionStore


@pytest.fixture
def real_session_housekeeping(aws_tables: dict[str, str]) -> tuple[SessionHousekeeping, SessionStore]:
    """The DynamoDB housekeeping and the session store it cleans, on one fresh sessions table."""
    table = aws_tables["SessionsTable"]
    return DynamoSessionHousekeeping(table), DynamoSessionStore(table)
