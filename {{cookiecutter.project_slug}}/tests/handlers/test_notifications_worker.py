"""The notifications worker: SQS records carrying EventBridge events, partial batch failures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.support.bus import eventbridge_body, sqs_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_notifications import (
    InMemoryChannel,
    InMemoryNotificationStore,
)
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.notifications import (
    NotificationService,
    PreferencesUpdate,
    Reason,
)
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers import notifications

PLAYER = "player-1"
PACKAGE = "{{ cookiecutter.package_name }}"
HAPPENED_AT = datetime(2030, 1, 1, 12, 30, tzinfo=UTC)


def body(name: str, module: str, correlation_id: str = "req-1", **detail: Any) -> str:
    event = DomainEvent(
        name, f"{PACKAGE}.{module}", {"player_id": PLAYER, **detail}, correlation_id, HAPPENED_AT
    )
    return eventbridge_body(event)


@pytest.fixture
def channel() -> InMemoryChannel:
    return InMemoryChannel()


@pytest.fixture
def store() -> InMemoryNotificationStore:
    return InMemoryNotificationStore()


@pytest.fixture
def service(
    store: InMemoryNotificationStore,
    channel: InMemoryChannel,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> NotificationService:
    return NotificationService(
        store, channel, publisher, clock, f"{PACKAGE}.notifications", big_win_threshold=10_000
    )


def test_each_event_tells_its_player(service: NotificationService, channel: InMemoryChannel) -> None:
    service.update_preferences(PLAYER, PreferencesUpdate(marketing=True))
    batch = sqs_event(
        body("RealityCheckDue", "sessions", session_id="s-1", elapsed_minutes=60),
        body("LimitReached", "responsible_gaming", limit_type="deposit"),
        body("BonusGranted", "wallet", transaction_id="bonus-1", amount=1_000, currency="EUR"),
        body("BetSettled", "wallet", transaction_id="win-1", amount=25_000, currency="EUR"),
        body("SelfExclusionStarted", "responsible_gaming", until="2030-07-01T00:00:00+00:00"),
    )

    assert notifications.process_batch(batch, service) == {"batchItemFailures": []}

    assert [n.reason for n in channel.delivered] == [
        Reason.REALITY_CHECK_DUE,
        Reason.LIMIT_REACHED,
        Reason.BONUS_GRANTED,
        Reason.BIG_WIN,
        Reason.SELF_EXCLUSION_STARTED,
    ]


def test_redelivered_event_tells_the_player_once(
    service: NotificationService, channel: InMemoryChannel
) -> None:
    limit = body("LimitReached", "responsible_gaming", limit_type="loss")

    first = notifications.process_batch(sqs_event(limit, limit), service)
    redelivered = notifications.process_batch(sqs_event(limit), service)

    assert first == redelivered == {"batchItemFailures": []}
    assert len(channel.delivered) == 1


def test_published_events_carry_the_correlation_id_of_the_event_handled(
    service: NotificationService, publisher: InMemoryEventPublisher
) -> None:
    batch = sqs_event(
        body("LimitReached", "responsible_gaming", correlation_id="deposit-req-7"),
        body("RealityCheckDue", "sessions", correlation_id="heartbeat-req-9"),
    )

    notifications.process_batch(batch, service)

    sent = [event for event in publisher.events if event.name == "NotificationSent"]
    assert [(event.detail["reason"], event.correlation_id) for event in sent] == [
        ("limit_reached", "deposit-req-7"),
        ("reality_check_due", "heartbeat-req-9"),
    ]
    assert {event.source for event in sent} == {f"{PACKAGE}.notifications"}


def poison(detail: object, name: str = "LimitReached") -> str:
    return json.dumps({"detail-type": name, "source": f"{PACKAGE}.responsible_gaming", "detail": detail})


@pytest.mark.parametrize(
    "bad_body",
    [
        pytest.param("not json at all", id="not-json"),
        pytest.param(json.dumps({"detail-type": "LimitReached"}), id="no-detail"),
        pytest.param(poison("text"), id="detail-not-object"),
        pytest.param(poison({"player_id": PLAYER}), id="no-event-id"),
        pytest.param(poison({"event_id": "e-1"}), id="no-player"),
        pytest.param(poison({"event_id": "e-1", "player_id": 42}), id="numeric-player"),
        pytest.param(
            json.dumps({"detail-type": 7, "detail": {"event_id": "e", "player_id": PLAYER}}), id="bad-type"
        ),
    ],
)
def test_poison_message_fails_alone_and_the_rest_of_the_batch_is_handled(
    service: NotificationService, channel: InMemoryChannel, bad_body: str
) -> None:
    before = body("LimitReached", "responsible_gaming", limit_type="deposit")
    after = body("RealityCheckDue", "sessions", session_id="s-1")

    result = notifications.process_batch(sqs_event(before, bad_body, after), service)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-2"}]}
    assert [n.reason for n in channel.delivered] == [Reason.LIMIT_REACHED, Reason.REALITY_CHECK_DUE]


class BrokenChannel(InMemoryChannel):
    def deliver(self, notification: Any) -> None:
        raise ConnectionError("SNS is unavailable")


def test_a_failed_send_fails_its_record_so_sqs_retries_it(
    store: InMemoryNotificationStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    broken = NotificationService(store, BrokenChannel(), publisher, clock, f"{PACKAGE}.notifications")
    limit = body("LimitReached", "responsible_gaming")
    working_channel = InMemoryChannel()
    working = NotificationService(store, working_channel, publisher, clock, f"{PACKAGE}.notifications")

    assert notifications.process_batch(sqs_event(limit), broken) == {
        "batchItemFailures": [{"itemIdentifier": "msg-1"}]
    }
    assert notifications.process_batch(sqs_event(limit), working) == {"batchItemFailures": []}
    assert len(working_channel.delivered) == 1


def test_marketing_is_acknowledged_without_a_message_for_a_player_who_opted_out(
    service: NotificationService, channel: InMemoryChannel
) -> None:
    service.update_preferences(PLAYER, PreferencesUpdate(marketing=False))
    bonus = body("BonusGranted", "wallet", transaction_id="bonus-1", amount=1_000, currency="EUR")

    assert notifications.process_batch(sqs_event(bonus), service) == {"batchItemFailures": []}
    assert channel.delivered == []


def test_lambda_entry_point_uses_the_module_service(
    monkeypatch: pytest.MonkeyPatch, service: NotificationService, channel: InMemoryChannel
) -> None:
    monkeypatch.setattr(notifications, "_service", service)

    result = notifications.handler(sqs_event(body("LimitReached", "responsible_gaming")), object())

    assert result == {"batchItemFailures": []}
    assert len(channel.delivered) == 1


def test_events_the_wallet_publishes_are_what_the_worker_reads(
    service: NotificationService,
    channel: InMemoryChannel,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    service.update_preferences(PLAYER, PreferencesUpdate(marketing=True))
    wallet = Wallet(InMemoryLedgerStore(relay=publisher), clock, f"{PACKAGE}.wallet")
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="c")
    wallet.place_bet(PLAYER, "bet-1", Money.of(400, "EUR"), correlation_id="c")
    wallet.settle_win(PLAYER, "win-1", "bet-1", Money.of(12_000, "EUR"), correlation_id="c")
    wallet.grant_bonus(PLAYER, "bonus-1", Money.of(500, "EUR"), correlation_id="c")
    bodies = [eventbridge_body(event) for event in publisher.events if event.source == f"{PACKAGE}.wallet"]

    assert notifications.process_batch(sqs_event(*bodies), service) == {"batchItemFailures": []}
    assert [(n.reason, n.text) for n in channel.delivered] == [
        (Reason.BIG_WIN, "You won 120.00 EUR."),
        (Reason.BONUS_GRANTED, "A bonus of 5.00 EUR is in your bonus balance."),
    ]
