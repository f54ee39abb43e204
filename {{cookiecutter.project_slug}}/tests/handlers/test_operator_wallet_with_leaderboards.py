"""Hybrid mode with leaderboards: the operator's events score; a mission reward reaches the operator's wallet.

The platform's events go through the webhook's intake onto the bus as the wallet's events; the
leaderboards worker reads them as it reads the hosted wallet's, and pays a completed mission's reward
through the operator's wallet (the local fake of its platform, over signed HTTP).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.support.bus import eventbridge_body, sqs_event
from tools.operator_platform import FakeOperatorPlatform, platform_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.adapters.memory_operator_wallet import InMemoryPlatformEventLog
from {{ cookiecutter.package_name }}.domain.leaderboards import (
    Catalogue,
    Leaderboard,
    LeaderboardService,
    Measure,
    Mission,
    Period,
    Schedule,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.operator_wallet import PlatformEvent, PlatformEventIntake
from {{ cookiecutter.package_name }}.handlers import bonus_wallet, leaderboards

KEY = "whsec-operator-wallet-test"  # pragma: allowlist secret (a test key)
PLAYER = "player-1"
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
CATALOGUE = Catalogue(
    boards=(
        Leaderboard(
            "daily-wins", "Biggest winners", "BetSettled", Measure.AMOUNT, Schedule(Period.DAILY), "USD"
        ),
    ),
    missions=(
        Mission(
            "two-wins",
            "Win twice today",
            "BetSettled",
            Measure.COUNT,
            2,
            Schedule(Period.DAILY),
            Money(300, "USD"),
        ),
    ),
)


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOperatorPlatform]:
    fake = FakeOperatorPlatform(KEY)
    url = fake.start()
    monkeypatch.setenv("PLATFORM_EVENTS_TABLE_NAME", "platform-events")
    monkeypatch.setenv("OPERATOR_WALLET_URL", url)
    monkeypatch.setenv("OPERATOR_WALLET_KEY_PARAMETER", "/casino/dev/operator-wallet-key")
    # The key from SSM on AWS; here, straight from the test.
    monkeypatch.setattr("{{ cookiecutter.package_name }}.adapters.parameter_store.SecureParameter.value", lambda _: KEY)
    try:
        yield fake
    finally:
        fake.stop()


def bus_bodies(*events: dict[str, Any]) -> list[str]:
    """The platform's events through the webhook's intake, as the bus hands them to the worker."""
    publisher = InMemoryEventPublisher()
    intake = PlatformEventIntake(
        InMemoryPlatformEventLog(), publisher, FixedClock(datetime.now(UTC)), WALLET_SOURCE
    )
    for event in events:
        intake.receive(PlatformEvent.parse(event))
    return [eventbridge_body(event) for event in publisher.events]


def test_the_operators_wins_score_and_the_mission_reward_reaches_the_operators_wallet(
    platform: FakeOperatorPlatform, clock: FixedClock
) -> None:
    publisher = InMemoryEventPublisher()
    rewards = bonus_wallet.mission_rewards(lambda: None, publisher, clock, "{{ cookiecutter.package_name }}")  # type: ignore[arg-type, return-value]
    service = LeaderboardService(
        InMemoryLeaderboardStore(),
        publisher,
        FixedClock(datetime.now(UTC)),
        "x.leaderboards",
        CATALOGUE,
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
