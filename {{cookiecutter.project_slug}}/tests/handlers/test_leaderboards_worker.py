"""The leaderboards worker: SQS records carrying wallet events, partial batch failures, mission rewards."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.support.bus import eventbridge_body, sqs_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
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
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers import leaderboards

PLAYER = "player-1"
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
SOURCE = "{{ cookiecutter.package_name }}.leaderboards"
PLAYED_AT = datetime(2030, 1, 1, 12, 30, tzinfo=UTC)


def catalogue(currency: str = "EUR") -> Catalogue:
    """The boards and the mission the workers' tests play (the hybrid mode's too), in `currency`."""
    return Catalogue(
        boards=(
            Leaderboard(
                "daily-wins",
                "Biggest winners today",
                "BetSettled",
                Measure.AMOUNT,
                Schedule(Period.DAILY),
                currency,
            ),
            Leaderboard(
                "weekly-wagered",
                "Most wagered",
                "BetPlaced",
                Measure.AMOUNT,
                Schedule(Period.WEEKLY),
                currency,
            ),
            Leaderboard(
                "weekly-bonus",
                "Most bonus",
                "BonusGranted",
                Measure.AMOUNT,
                Schedule(Period.WEEKLY),
                currency,
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
                Money(300, currency),
            ),
        ),
    )


CATALOGUE = catalogue()


def wallet_body(name: str, transaction_id: str, amount: int, correlation_id: str = "round-1") -> str:
    """The SQS body of a wallet event as the Wallet publishes it."""
    detail: dict[str, Any] = {
        "player_id": PLAYER,
        "transaction_id": transaction_id,
        "amount": amount,
        "currency": "EUR",
        "funds": "cash",
    }
    return eventbridge_body(DomainEvent(name, WALLET_SOURCE, detail, correlation_id, PLAYED_AT))


@pytest.fixture
def store() -> InMemoryLeaderboardStore:
    return InMemoryLeaderboardStore()


@pytest.fixture
def ledger(publisher: InMemoryEventPublisher) -> InMemoryLedgerStore:
    # Committed entries' events reach the publisher, as the stream publisher carries them to the bus.
    return InMemoryLedgerStore(relay=publisher)


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock) -> Wallet:
    return Wallet(ledger, clock, WALLET_SOURCE)


@pytest.fixture
def service(
    store: InMemoryLeaderboardStore, wallet: Wallet, publisher: InMemoryEventPublisher, clock: FixedClock
) -> LeaderboardService:
    return LeaderboardService(store, publisher, clock, SOURCE, CATALOGUE, bonuses=wallet)


def score(service: LeaderboardService, board_id: str) -> int | None:
    return service.standing(board_id, PLAYER).score


def test_bets_wins_and_bonuses_score_on_their_boards(service: LeaderboardService) -> None:
    bet = wallet_body("BetPlaced", "bet-1", 300)
    win = wallet_body("BetSettled", "win-1", 900)
    bonus = wallet_body("BonusGranted", "bonus-1", 50)

    result = leaderboards.process_batch(sqs_event(bet, win, bonus), service)

    assert result == {"batchItemFailures": []}
    assert (
        score(service, "weekly-wagered"),
        score(service, "daily-wins"),
        score(service, "weekly-bonus"),
    ) == (
        300,
        900,
        50,
    )


def test_duplicate_delivery_scores_once(service: LeaderboardService) -> None:
    win = wallet_body("BetSettled", "win-1", 900)

    first = leaderboards.process_batch(sqs_event(win, win), service)
    redelivered = leaderboards.process_batch(sqs_event(win), service)

    assert first == redelivered == {"batchItemFailures": []}
    assert score(service, "daily-wins") == 900


def poison(detail: object) -> str:
    return json.dumps({"detail-type": "BetSettled", "source": WALLET_SOURCE, "detail": detail})


GOOD_DETAIL = {
    "event_id": "e",
    "player_id": PLAYER,
    "amount": 300,
    "currency": "EUR",
    "occurred_at": PLAYED_AT.isoformat(),
}


@pytest.mark.parametrize(
    "bad_body",
    [
        pytest.param("not json at all", id="not-json"),
        pytest.param(json.dumps({"detail-type": "BetSettled"}), id="no-detail"),
        pytest.param(poison("text"), id="detail-not-object"),
        pytest.param(poison({**GOOD_DETAIL, "event_id": None}), id="no-event-id"),
        pytest.param(poison({**GOOD_DETAIL, "amount": "300"}), id="amount-as-text"),
        pytest.param(poison({**GOOD_DETAIL, "amount": -5}), id="negative-amount"),
        pytest.param(poison({**GOOD_DETAIL, "player_id": 7}), id="numeric-player-id"),
        pytest.param(poison({**GOOD_DETAIL, "occurred_at": "yesterday"}), id="occurred-at-not-a-time"),
        pytest.param(poison({**GOOD_DETAIL, "occurred_at": "2030-01-01T12:00:00"}), id="occurred-at-naive"),
    ],
)
def test_poison_message_fails_alone_and_the_rest_of_the_batch_is_applied(
    service: LeaderboardService, bad_body: str
) -> None:
    before = wallet_body("BetSettled", "win-1", 100)
    after = wallet_body("BetSettled", "win-2", 200)

    result = leaderboards.process_batch(sqs_event(before, bad_body, after), service)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-2"}]}
    assert score(service, "daily-wins") == 300


def test_other_event_types_are_acknowledged_and_ignored(service: LeaderboardService) -> None:
    rollback = wallet_body("BetRolledBack", "rb-1", 300)
    deposit = wallet_body("FundsDeposited", "dep-1", 300)

    assert leaderboards.process_batch(sqs_event(rollback, deposit), service) == {"batchItemFailures": []}
    assert score(service, "weekly-wagered") is None


def test_mission_reward_events_carry_the_correlation_id_of_the_completing_event(
    service: LeaderboardService, publisher: InMemoryEventPublisher, ledger: InMemoryLedgerStore
) -> None:
    first = wallet_body("BetSettled", "win-1", 100, correlation_id="round-1")
    second = wallet_body("BetSettled", "win-2", 100, correlation_id="round-2")

    result = leaderboards.process_batch(sqs_event(first, second, second), service)

    assert result == {"batchItemFailures": []}
    published = [event for event in publisher.events if event.name in ("MissionCompleted", "BonusGranted")]
    assert sorted(event.name for event in published) == ["BonusGranted", "MissionCompleted"]
    assert {event.correlation_id for event in published} == {"round-2"}
    assert ledger.balance(PLAYER).bonus == 300  # type: ignore[union-attr]


def test_a_failed_reward_is_retried_by_the_redelivery_and_paid_once(
    store: InMemoryLeaderboardStore,
    wallet: Wallet,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    class ThrottledOnce:
        failed = False

        def grant_bonus(
            self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
        ) -> object:
            if not self.failed:
                self.failed = True
                raise ConnectionError("throttled")
            return wallet.grant_bonus(player_id, transaction_id, money, correlation_id=correlation_id)

    service = LeaderboardService(store, publisher, clock, SOURCE, CATALOGUE, bonuses=ThrottledOnce())
    wins = [wallet_body("BetSettled", f"win-{n}", 100, correlation_id=f"round-{n}") for n in (1, 2)]

    first = leaderboards.process_batch(sqs_event(*wins), service)
    retry = leaderboards.process_batch(sqs_event(wins[1]), service)

    assert first == {"batchItemFailures": [{"itemIdentifier": "msg-2"}]}
    assert retry == {"batchItemFailures": []}
    assert ledger.balance(PLAYER).bonus == 300  # type: ignore[union-attr]
    assert service.standing("daily-wins", PLAYER).score == 200
    assert [event.correlation_id for event in publisher.events if event.name == "MissionCompleted"] == [
        "round-2"
    ]


def test_lambda_entry_point_uses_the_module_service(
    monkeypatch: pytest.MonkeyPatch, service: LeaderboardService
) -> None:
    monkeypatch.setattr(leaderboards, "_service", service)
    win = wallet_body("BetSettled", "win-1", 900)

    assert leaderboards.handler(sqs_event(win), object()) == {"batchItemFailures": []}
    assert score(service, "daily-wins") == 900


def test_events_the_wallet_publishes_are_what_the_worker_reads(
    service: LeaderboardService, wallet: Wallet, publisher: InMemoryEventPublisher
) -> None:
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="c")
    wallet.place_bet(PLAYER, "bet-1", Money.of(400, "EUR"), correlation_id="c")
    wallet.settle_win(PLAYER, "win-1", "bet-1", Money.of(1_200, "EUR"), correlation_id="c")
    wallet.grant_bonus(PLAYER, "bonus-1", Money.of(75, "EUR"), correlation_id="c")
    bodies = [eventbridge_body(event) for event in publisher.events if event.source == WALLET_SOURCE]

    assert leaderboards.process_batch(sqs_event(*bodies), service) == {"batchItemFailures": []}
    assert (
        score(service, "weekly-wagered"),
        score(service, "daily-wins"),
        score(service, "weekly-bonus"),
    ) == (
        400,
        1_200,
        75,
    )
