"""The sessions module's real stores on GCP for the shared contract suites: Firestore on its emulator.

tests/contract/test_session_store_contract.py runs every test against the in-memory store and against
`real_session_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_sessions.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_sessions import FirestoreSessionStore
from {{ cookiecutter.package_name }}.ports.sessions import SessionStore


@pytest.fixture
def real_session_store(firestore_client: Any) -> SessionStore:
    """The Firestore session store on an empty database."""
    return FirestoreSessionStore(DATABASE, firestore_client)
