"""The leaderboards module's real stores on GCP for the shared contract suites: Firestore on its emulator.

tests/contract/test_leaderboard_store_contract.py runs every test against the in-memory store and against
`real_leaderboard_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_leaderboards.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_leaderboards import (
    FirestoreLeaderboardStore,
)
from {{ cookiecutter.package_name }}.ports.leaderboards import LeaderboardStore


@pytest.fixture
def real_leaderboard_store(firestore_client: Any) -> LeaderboardStore:
    """The Firestore leaderboard store on an empty database."""
    return FirestoreLeaderboardStore(DATABASE, firestore_client)
