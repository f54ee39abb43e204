"""The promotions worker: SQS records carrying EventBridge events, partial batch failures."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.support.bus import eventbridge_body, sqs_event
from tests.support.outbox import outbox_poller
{%- if cookiecutter.module_responsible_gaming %}
from tests.support.tables import stack_environment
{%- endif %}

from {{ cookiecutter.package_name }}.adapters.dynamodb_promotions import DynamoPromotionStore
from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_promotions import InMemoryPromotionStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
{%- if cookiecutter.module_responsible_gaming %}
from {{ cookiecutter.package_name }}.compliance import LIMITS_POLICY
{%- endif %}
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.promotions import Promotion, PromotionService, Trigger
{%- if cookiecutter.module_responsible_gaming %}
from {{ cookiecutter.package_name }}.domain.responsible_gaming import KycStatus, ProtectionService
{%- endif %}
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
            RULES, store, self.wallet, ledger, self.publisher, clock, PROMOTIONS_SOURCE
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


@pytest.mark.integration
def test_the_worker_grants_through_dynamodb(aws_tables: dict[str, str], clock: FixedClock) -> None:
    publisher = InMemoryEventPublisher()
    casino = Casino(
        DynamoLedgerStore(aws_tables["WalletTable"]),
        DynamoPromotionStore(aws_tables["PromotionsTable"]),
        clock,
        publisher,
        outbox_poller(aws_tables["WalletTable"], publisher).poll,
    )
    casino.wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="checkout-7")
    deposited = casino.take_bodies()

    assert casino.deliver(*deposited, *deposited) == {"batchItemFailures": []}

    assert casino.bonus() == 2_000
    assert [event.correlation_id for event in casino.named("BonusGranted")] == ["checkout-7"]

{%- if cookiecutter.module_responsible_gaming %}


PROTECTION_SOURCE = "{{ cookiecutter.package_name }}.responsible_gaming"


def exclude(protection: ProtectionService, player_id: str, how: str) -> None:
    if how == "self-excluded":
        protection.self_exclude(player_id, LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")
    else:
        protection.cool_off(player_id, LIMITS_POLICY.cool_off_hours, correlation_id="e")


def outcomes(caplog: pytest.LogCaptureFixture) -> list[object]:
    return [
        getattr(record, "outcome", None) for record in caplog.records if record.msg == "promotions record"
    ]


@pytest.mark.parametrize("how", ["self-excluded", "cooling-off"])
def test_a_grant_refused_for_an_excluded_player_is_acknowledged_and_not_recorded(
    clock: FixedClock, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    store, publisher = InMemoryPromotionStore(), InMemoryEventPublisher()
    ledger = InMemoryLedgerStore(relay=publisher)
    protection = ProtectionService(ledger, publisher, clock, PROTECTION_SOURCE)
    wallet = Wallet(ledger, clock, WALLET_SOURCE, protection=protection)
    service = PromotionService(RULES, store, wallet, ledger, publisher, clock, PROMOTIONS_SOURCE)
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc")
    wallet.deposit(PLAYER, "dep-1", Money.of(4_000, "EUR"), correlation_id="checkout-7")
    deposited = eventbridge_body(publisher.events[-1])
    exclude(protection, PLAYER, how)
    publisher.events.clear()
    caplog.clear()

    result = worker.process_batch(sqs_event(deposited, tournament_entered()), service)

    assert result == {"batchItemFailures": []}
    assert outcomes(caplog) == [
        ["welcome: skipped: player excluded"],
        ["tournament: skipped: player excluded"],
    ]
    assert store.grants(PLAYER) == []
    assert wallet.balance(PLAYER).bonus == 0  # type: ignore[union-attr]
    assert publisher.events == []


@pytest.mark.integration
def test_the_workers_own_wallet_refuses_bonuses_to_excluded_players_on_dynamodb(
    aws_tables: dict[str, str], events_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_environment(monkeypatch, events_client, aws_tables)
    monkeypatch.setattr(worker, "_service", None)  # the handler builds its own, as on Lambda
    ledger = DynamoLedgerStore(aws_tables["WalletTable"])
    setup = InMemoryEventPublisher()
    # The deposits are made before the exclusion, by a wallet of the test's own.
    deposits = Wallet(ledger, FixedClock(datetime.now(UTC)), WALLET_SOURCE)
    currency = "{{ manifest.jurisdictions[cookiecutter.jurisdiction].currency }}"
    for player_id in (PLAYER, "player-2"):
        deposits.deposit(player_id, f"dep-{player_id}", Money.of(4_000, currency), correlation_id="c")
    outbox_poller(aws_tables["WalletTable"], setup).poll()
    bodies = [eventbridge_body(event) for event in setup.events]
    exclude(
        ProtectionService(ledger, setup, FixedClock(datetime.now(UTC)), PROTECTION_SOURCE),
        PLAYER,
        "self-excluded",
    )

    result = worker.handler(sqs_event(*bodies), object())

    assert result == {"batchItemFailures": []}
    excluded, other = ledger.balance(PLAYER), ledger.balance("player-2")
    assert excluded is not None
    assert other is not None
    assert (excluded.bonus, other.bonus) == (0, 4_000)
    assert DynamoPromotionStore(aws_tables["PromotionsTable"]).grants(PLAYER) == []
{%- endif %}
