"""One suite for every PlatformEventLog: the chosen cloud's adapter must behave like the in-memory one.

The cloud's log comes from its fixtures (tests/support/real_stores.py: `real_platform_event_log`).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from tests.support.real_stores import store_params

from {{ cookiecutter.package_name }}.adapters.memory_operator_wallet import InMemoryPlatformEventLog
from {{ cookiecutter.package_name }}.domain.operator_wallet import Claim
from {{ cookiecutter.package_name }}.ports.operator_wallet import PlatformEventLog

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=store_params("real_platform_event_log"))
def log(request: pytest.FixtureRequest) -> PlatformEventLog:
    if request.param == "memory":
        return InMemoryPlatformEventLog()
    real: PlatformEventLog = request.getfixturevalue("real_platform_event_log")
    return real


def test_a_new_event_id_is_claimed(log: PlatformEventLog) -> None:
    assert log.claim("evt-1", "digest-a", NOW) is Claim.NEW


def test_a_claimed_event_not_yet_published_is_pending(log: PlatformEventLog) -> None:
    log.claim("evt-1", "digest-a", NOW)

    assert log.claim("evt-1", "digest-a", NOW) is Claim.PENDING


def test_a_published_event_is_not_claimed_again(log: PlatformEventLog) -> None:
    log.claim("evt-1", "digest-a", NOW)
    log.mark_published("evt-1")

    assert log.claim("evt-1", "digest-a", NOW) is Claim.PUBLISHED


def test_another_event_under_a_used_id_conflicts(log: PlatformEventLog) -> None:
    log.claim("evt-1", "digest-a", NOW)
    log.mark_published("evt-1")

    assert log.claim("evt-1", "digest-b", NOW) is Claim.CONFLICT


def test_event_ids_are_independent(log: PlatformEventLog) -> None:
    log.claim("evt-1", "digest-a", NOW)

    assert log.claim("evt-2", "digest-a", NOW) is Claim.NEW


def test_two_deliveries_at_once_claim_the_id_once(log: PlatformEventLog) -> None:
    answers: list[Claim] = []
    start = threading.Barrier(4)

    def deliver() -> None:
        start.wait()
        answers.append(log.claim("evt-race", "digest-a", NOW))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == sorted([Claim.NEW, Claim.PENDING, Claim.PENDING, Claim.PENDING])
