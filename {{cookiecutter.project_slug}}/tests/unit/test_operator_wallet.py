"""The hybrid mode's domain: the platform's events become the wallet's, once; bonuses go to the operator."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_operator_wallet import (
    InMemoryOperatorWallet,
    InMemoryPlatformEventLog,
)
from {{ cookiecutter.package_name }}.domain.errors import ValidationFailed
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.operator_wallet import (
    Delivery,
    EventIdReused,
    OperatorBonusWallet,
    PlatformEvent,
    PlatformEventIntake,
)

SOURCE = "{{ cookiecutter.package_name }}.wallet"
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
WIN: dict[str, Any] = {
    "event_id": "op-evt-9",
    "type": "BetSettled",
    "player_id": "player-1",
    "transaction_id": "op-win-1",
    "bet_transaction_id": "op-bet-1",
    "amount": 900,
    "currency": "USD",
    "occurred_at": "2030-01-01T11:59:00+00:00",
}


class FailingOnce:
    """A bus that refuses the first publish (EventBridge throttled), then takes everything."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []
        self.failed = False

    def publish(self, events: Sequence[DomainEvent]) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("bus unavailable")
        self.events.extend(events)


def intake(publisher: Any) -> PlatformEventIntake:
    return PlatformEventIntake(InMemoryPlatformEventLog(), publisher, FixedClock(NOW), SOURCE)


def test_a_win_becomes_the_wallets_bet_settled_with_the_same_fields() -> None:
    event = PlatformEvent.parse(WIN).wallet_event(SOURCE)

    assert (event.name, event.source, event.event_id, event.correlation_id) == (
        "BetSettled",
        SOURCE,
        "op-evt-9",
        "op-evt-9",
    )
    assert event.detail == {
        "player_id": "player-1",
        "transaction_id": "op-win-1",
        "amount": 900,
        "currency": "USD",
        "funds": "cash",
        "bet_transaction_id": "op-bet-1",
    }
    assert event.occurred_at == datetime(2030, 1, 1, 11, 59, tzinfo=UTC)


def test_the_digest_tells_two_events_apart_and_one_event_from_itself() -> None:
    first = PlatformEvent.parse(WIN)

    assert first.digest() == PlatformEvent.parse(dict(WIN)).digest()
    assert first.digest() != PlatformEvent.parse({**WIN, "amount": 901}).digest()


def test_an_event_is_published_once_whatever_the_redeliveries() -> None:
    publisher = InMemoryEventPublisher()
    service = intake(publisher)

    answers = [service.receive(PlatformEvent.parse(WIN)) for _ in range(3)]

    assert answers == [Delivery.PUBLISHED, Delivery.DUPLICATE, Delivery.DUPLICATE]
    assert len(publisher.events) == 1


def test_an_event_the_bus_refused_is_published_by_the_redelivery() -> None:
    publisher = FailingOnce()
    service = intake(publisher)
    with pytest.raises(RuntimeError):
        service.receive(PlatformEvent.parse(WIN))

    assert service.receive(PlatformEvent.parse(WIN)) is Delivery.PUBLISHED
    assert [event.event_id for event in publisher.events] == ["op-evt-9"]


def test_another_event_under_a_used_id_is_refused_and_not_published() -> None:
    publisher = InMemoryEventPublisher()
    service = intake(publisher)
    service.receive(PlatformEvent.parse(WIN))

    with pytest.raises(EventIdReused):
        service.receive(PlatformEvent.parse({**WIN, "player_id": "player-2"}))
    assert len(publisher.events) == 1


@pytest.mark.parametrize(
    "field", ["event_id", "player_id", "transaction_id", "occurred_at", "amount", "currency"]
)
def test_an_event_without_a_required_field_is_refused_by_name(field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        PlatformEvent.parse({name: value for name, value in WIN.items() if name != field})

    assert refused.value.field == field


def test_a_bonus_is_credited_by_the_operators_wallet_once_per_transaction_id() -> None:
    operator = InMemoryOperatorWallet()
    bonuses = OperatorBonusWallet(operator)

    for _ in range(2):
        bonuses.grant_bonus(
            "player-1", "mission:m1:player-1:2030-01-01", Money(1_000, "USD"), correlation_id="c-1"
        )

    assert list(operator.credits) == ["mission:m1:player-1:2030-01-01"]
    assert operator.credits["mission:m1:player-1:2030-01-01"].money == Money(1_000, "USD")
