"""The leaderboards' fixtures for the API tests: boards, missions and tournaments on an in-memory store."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.domain.leaderboards import LeaderboardService


@pytest.fixture
def service_leaderboards(publisher: InMemoryEventPublisher, clock: FixedClock) -> LeaderboardService:
    source = "{{ cookiecutter.package_name }}.leaderboards"
    return LeaderboardService(InMemoryLeaderboardStore(), publisher, clock, source)
