"""The leaderboards' fixtures for the API tests: boards, missions and tournaments on an in-memory store."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.domain.leaderboards import LeaderboardService
from {{ cookiecutter.package_name }}.registry import enabled

PSEUDONYM_KEY = b"the pseudonyms' test key"


@pytest.fixture
def service_leaderboards(
    request: pytest.FixtureRequest, publisher: InMemoryEventPublisher, clock: FixedClock
) -> LeaderboardService:
    source = "{{ cookiecutter.package_name }}.leaderboards"
    # With player protection, its service refuses tournaments to excluded players (as on AWS).
    gate = request.getfixturevalue("protection") if enabled("responsible_gaming") else None
    return LeaderboardService(
        InMemoryLeaderboardStore(),
        publisher,
        clock,
        source,
        marketing=gate,
        pseudonym_key=lambda: PSEUDONYM_KEY,
    )
