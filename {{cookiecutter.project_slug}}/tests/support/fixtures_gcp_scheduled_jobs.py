"""The scheduled jobs' real stores on GCP for the shared contract suite: Firestore on its emulator.

tests/contract/test_jobs_store_contract.py runs every test against the in-memory stores and against
`real_session_housekeeping`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_scheduled_jobs.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_jobs import FirestoreSessionHousekeeping
from {{ cookiecutter.package_name }}.adapters.firestore_sessions import FirestoreSessionStore
from {{ cookiecutter.package_name }}.ports.scheduled_jobs import SessionHousekeeping
from {{ cookiecutter.package_name }}.ports.sessions import SessionStore


@pytest.fixture
def real_session_housekeeping(firestore_client: Any) -> tuple[SessionHousekeeping, SessionStore]:
    """The Firestore housekeeping and the session store it cleans, on an empty database."""
    return FirestoreSessionHousekeeping(firestore_client), FirestoreSessionStore(DATABASE, firestore_client)
