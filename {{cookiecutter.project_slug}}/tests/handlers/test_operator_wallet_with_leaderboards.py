"""Hybrid mode with leaderboards: the operator's events score; a mission reward reaches the operator's wallet.

The platform's events go through the webhook's intake onto the bus as the wallet's events; the
leaderboards worker reads them as it reads the hosted wallet's, and pays a completed mission's reward
through the operator's wallet (the local fake of its platform, over signed HTTP).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from tests.handlers.test_leaderboards_worker import PLAYER, SOURCE, catalogue
from tests.support.bus import sqs_event
from tests.support.operator_platform import bus_bodies, operator_platform
from tools.operator_platform import FakeOperatorPlatform, platform_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.domain.leaderboards import LeaderboardService
from {{ cookiecutter.package_name }}.handlers import bonus_wallet, leaderboards


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOperatorPlatform]:
    with operator_platform(monkeypatch) as fake:
        yield fake


def test_the_operators_wins_score_and_the_mission_reward_reaches_the_operators_wallet(
    platform: FakeOperatorPlatform, clock: FixedClock
) -> None:
    publisher = InMemoryEventPublisher()
    package = "{{ cookiecutter.package_name }}"
    rewards = bonus_wallet.mission_rewards(lambda: None, publisher, clock, package)  # type: ignore[arg-type, return-value]
    service = LeaderboardService(
        InMemoryLeaderboardStore(),
        publisher,
        FixedClock(datetime.now(UTC)),
        SOURCE,
        catalogue("USD"),
        bonuses=rewards,
    )
    wins = [
        platform_event("BetSettled", PLAYER, f"op-win-{n}", 400, "USD", bet_transaction_id=f"op-bet-{n}")
        for n in (1, 2)
    ]

    result = leaderboards.process_batch(sqs_event(*bus_bodies(*wins)), service)

    assert result == {"batchItemFailures": []}
    assert service.standing("daily-wins", PLAYER).score == 800
    [credit] = platform.credits.values()
    assert (credit["player_id"], credit["amount"], credit["currency"], credit["funds"]) == (
        PLAYER,
        300,
        "USD",
        "bonus",
    )
    assert [event.name for event in publisher.events] == ["MissionCompleted"]


def test_in_hybrid_mode_the_workers_pay_rewards_through_the_operator() -> None:
    rewards = bonus_wallet.mission_rewards(
        lambda: None, InMemoryEventPublisher(), FixedClock(datetime.now(UTC)), "x"
    )  # type: ignore[arg-type, return-value]

    assert isinstance(rewards, bonus_wallet.DeferredOperatorWallet)
