"""The leaderboards module's real stores on AWS for the shared contract suites: DynamoDB on the moto server.

tests/contract/test_leaderboard_store_contract.py runs every test against the in-memory store and against
`real_leaderboard_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_leaderboards.py.
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_leaderboards import DynamoLeaderboardStore
from {{ cookiecutter.package_name }}.ports.leaderboards import LeaderboardStore


@pytest.fixture
def real_leaderboard_store(aws_tables: dict[str, str]) -> LeaderboardStore:
    """The DynamoDB leaderboard store on fresh tables."""
    return DynamoLeaderboardStore(aws_tables["LeaderboardsTable"])
