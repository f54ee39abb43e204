"""The sessions module's real stores on AWS for the shared contract suites: DynamoDB on the moto server.

tests/contract/test_session_store_contract.py runs every test against the in-memory store and against
`real_session_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_sessions.py.
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_sessions import DynamoSessionStore
from {{ cookiecutter.package_name }}.ports.sessions import SessionStore


@pytest.fixture
def real_session_store(aws_tables: dict[str, str]) -> SessionStore:
    """The DynamoDB session store on fresh tables."""
    return DynamoSessionStore(aws_tables["SessionsTable"])
