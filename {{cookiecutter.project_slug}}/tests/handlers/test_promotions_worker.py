"""The promotions worker: SQS records carrying EventBridge events, partial batch failures."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.support.bus import eventbridge_body, sqs_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_promotions import InMemoryPromotionStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.promotions import (
    HostedBonusWallet,
    Promotion,
    PromotionService,
    Trigger,
)
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers import promotions as worker
from {{ cookiecutter.package_name }}.ports.promotions import PromotionStore
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore

PLAYER = "player-1"
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
LEADERBOARDS_SOURCE = "{{ cookiecutter.package_name }}.leaderboards"
PROMOTIONS_SOURCE = "{{ cookiecutter.package_name }}.promotions"
LAUNCH = datetime(2029, 1, 1, tzinfo=UTC)
RULES = [
    Promotion("welcome", "Welcome", Trigger.FIRST_DEPOSIT, "EUR", 5_000, 2, LAUNCH, match_percent=50),
    Promotion("two-bets", "Two bets", Trigger.BETS_IN_A_DAY, "EUR", 300, 1, LAUNCH, bets_required=2),
    Promotion("tournament", "Tournament", Trigger.TOURNAMENT_ENTRY, "EUR", 700, 1, LAUNCH),
]


class Casino:
    """A wallet and the promotions worker's service on one set of adapters, and the events between them."""

    def __init__(
        self,
        ledger: LedgerStore,
        store: PromotionStore,
        clock: FixedClock,
        publisher: InMemoryEventPublisher,
        outbox: Callable[[], object] = lambda: None,
    ) -> None:
        self.publisher = publisher
        self.clock = clock
        self.outbox = outbox  # carries the ledger's outbox to the publisher (the stream, on DynamoDB)
        self.wallet = Wallet(ledger, clock, WALLET_SOURCE)
        self.store = store
        self.service = PromotionService(
            RULES, store, HostedBonusWallet(self.wallet), ledger, self.publisher, clock, PROMOTIONS_SOURCE
        )

    def take_bodies(self) -> list[str]:
        """The SQS bodies of every event published since the last call (what the rule would deliver)."""
        self.outbox()
        bodies = [eventbridge_body(event) for event in self.publisher.events]
        self.publisher.events.clear()
        return bodies

    def deliver(self, *bodies: str) -> dict[str, Any]:
        return worker.process_batch(sqs_event(*bodies), self.service)

    def bonus(self) -> int:
        balance = self.wallet.balance(PLAYER)
        return 0 if balance is None else balance.bonus

    def named(self, name: str) -> list[DomainEvent]:
        self.outbox()
        return [event for event in self.publisher.events if event.name == name]


@pytest.fixture
def casino(clock: FixedClock) -> Casino:
    publisher = InMemoryEventPublisher()
    return Casino(InMemoryLedgerStore(relay=publisher), InMemoryPromotionStore(), clock, publisher)


def test_a_first_deposit_is_granted_its_bonus_with_the_deposits_correlation_id(casino: Casino) -> None:
    casino.wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="checkout-7")

    assert casino.deliver(*casino.take_bodies()) == {"batchItemFailures": []}

    assert casino.bonus() == 2_000
    (granted,) = casino.named("BonusGranted")
    assert granted.correlation_id == "checkout-7"


def test_a_redelivered_event_has_one_effect(casino: Casino) -> None:
    casino.wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="checkout-7")
    (deposited,) = casino.take_bodies()

    first = casino.deliver(deposited, deposited)
    again = casino.deliver(deposited)

    assert first == again == {"batchItemFailures": []}
    assert casino.bonus() == 2_000
    assert len(casino.named("BonusGranted")) == 1


def test_the_days_bets_earn_their_bonus_once(casino: Casino) -> None:
    casino.wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="c")
    casino.deliver(*casino.take_bodies())
    casino.publisher.events.clear()
    casino.wallet.place_bet(PLAYER, "bet-1", Money.of(100, "EUR"), correlation_id="round-1")
    (bet_1,) = casino.take_bodies()
    casino.wallet.place_bet(PLAYER, "bet-2", Money.of(100, "EUR"), correlation_id="round-2")
    (bet_2,) = casino.take_bodies()

    casino.deliver(bet_1, bet_1)
    assert casino.bonus() == 2_000
    casino.deliver(bet_2, bet_1, bet_2)

    assert casino.bonus() == 2_300
    (granted,) = casino.named("BonusGranted")
    assert granted.correlation_id == "round-2"


def tournament_entered(correlation_id: str = "entry-1", **detail: Any) -> str:
    event = DomainEvent(
        "TournamentEntered",
        LEADERBOARDS_SOURCE,
        {"player_id": PLAYER, "tournament_id": "weekend-slots", **detail},
        correlation_id,
        datetime(2030, 1, 1, 12, tzinfo=UTC),
    )
    return eventbridge_body(event)


def test_a_tournament_entry_is_granted_its_bonus(casino: Casino) -> None:
    casino.wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="c")
    casino.publisher.events.clear()

    assert casino.deliver(tournament_entered("entry-9")) == {"batchItemFailures": []}

    assert casino.bonus() == 700
    assert [event.correlation_id for event in casino.named("BonusGranted")] == ["entry-9"]


def test_wagering_completed_carries_the_settlements_correlation_id(casino: Casino) -> None:
    casino.wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="c")
    casino.deliver(*casino.take_bodies())  # 2_000 bonus, 4_000 of wagering owed
    casino.publisher.events.clear()
    casino.clock.advance(timedelta(minutes=1))
    casino.wallet.place_bet(PLAYER, "bet-1", Money.of(4_000, "EUR"), correlation_id="round-1")
    casino.wallet.settle_win(PLAYER, "win-1", "bet-1", Money.of(10, "EUR"), correlation_id="round-1-settled")
    bodies = casino.take_bodies()

    assert casino.deliver(*bodies, *bodies) == {"batchItemFailures": []}

    completed = casino.named("WageringCompleted")
    assert {event.correlation_id for event in completed} == {"round-1-settled"}
    # Redelivered, the completion is published again under the same event id (one event to consumers).
    assert len({event.event_id for event in completed}) == 1
    grant = casino.store.grant(PLAYER, "welcome")
    assert grant is not None
    assert grant.completed


def poison(detail: object, detail_type: str = "BetPlaced") -> str:
    return json.dumps({"detail-type": detail_type, "source": WALLET_SOURCE, "detail": detail})


VALID_BET = {
    "event_id": "e-1",
    "correlation_id": "c-1",
    "occurred_at": "2030-01-01T12:00:00+00:00",
    "player_id": PLAYER,
    "transaction_id": "bet-x",
    "amount": 100,
    "currency": "EUR",
}


@pytest.mark.parametrize(
    "bad_body",
    [
        pytest.param("not json at all", id="not-json"),
        pytest.param(json.dumps({"detail-type": "BetPlaced"}), id="no-detail"),
        pytest.param(poison("text"), id="detail-not-object"),
        pytest.param(poison({**VALID_BET, "event_id": None}), id="no-event-id"),
        pytest.param(poison({**VALID_BET, "player_id": 7}), id="numeric-player-id"),
        pytest.param(poison({**VALID_BET, "amount": "100"}), id="amount-as-text"),
        pytest.param(poison({**VALID_BET, "currency": "euro"}), id="bad-currency"),
        pytest.param(poison({**VALID_BET, "occurred_at": "yesterday"}), id="bad-time"),
        pytest.param(poison({**VALID_BET, "occurred_at": "2030-01-01T12:00:00"}), id="time-without-offset"),
        pytest.param(poison(VALID_BET, "BetSettled"), id="settlement-without-bet-id"),
        pytest.param(tournament_entered(tournament_id=None), id="entry-without-tournament"),
    ],
)
def test_a_poison_message_fails_alone_and_the_rest_of_the_batch_is_applied(
    casino: Casino, bad_body: str
) -> None:
    casino.wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="c")
    (deposited,) = casino.take_bodies()

    result = casino.deliver(bad_body, deposited, tournament_entered())

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    assert casino.bonus() == 2_000 + 700


def test_other_event_types_are_acknowledged_and_ignored(casino: Casino) -> None:
    casino.wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="c")
    casino.take_bodies()
    casino.wallet.place_bet(PLAYER, "bet-1", Money.of(100, "EUR"), correlation_id="c")
    casino.wallet.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="c")
    rollback = casino.take_bodies()[-1]

    assert casino.deliver(rollback) == {"batchItemFailures": []}
    assert casino.bonus() == 0


def test_lambda_entry_point_uses_the_module_service(monkeypatch: pytest.MonkeyPatch, casino: Casino) -> None:
    monkeypatch.setattr(worker, "_service", casino.service)
    casino.wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="c")

    assert worker.handler(sqs_event(*casino.take_bodies()), object()) == {"batchItemFailures": []}
    assert casino.bonus() == 2_000
