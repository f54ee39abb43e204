"""The leaderboards module's real stores on Azure for the shared contract suites: Table Storage on Azurite.

tests/contract/test_leaderboard_store_contract.py runs every test against the in-memory store and against
`real_leaderboard_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_leaderboards.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.ports.leaderboards import LeaderboardStore


@pytest.fixture
def real_leaderboard_store(table_factory: Callable[..., Any]) -> LeaderboardStore:
    """The Table Storage leaderboard store on a fresh table."""
    from {{ cookiecutter.package_name }}.adapters.table_leaderboards import TableLeaderboardStore

    return TableLeaderboardStore(table_factory())
