"""Hybrid mode with notifications: the operator's big wins and bonus credits reach its players.

The platform announces its wallet's wins and the bonuses it credited through the webhook; the
notifications worker reads them from the bus as the hosted wallet's events, once per event id.
"""

from __future__ import annotations

import pytest
from tests.handlers.test_notifications_worker import PACKAGE, PLAYER
from tests.support.bus import sqs_event
from tests.support.operator_platform import bus_bodies
from tools.operator_platform import platform_event

from {{ cookiecutter.package_name }}.adapters.dynamodb_notifications import DynamoNotificationStore
from {{ cookiecutter.package_name }}.adapters.dynamodb_operator_wallet import DynamoPlatformEventLog
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_notifications import (
    InMemoryChannel,
    InMemoryNotificationStore,
)
from {{ cookiecutter.package_name }}.domain.notifications import (
    NotificationService,
    PreferencesUpdate,
    Reason,
)
from {{ cookiecutter.package_name }}.handlers import notifications
from {{ cookiecutter.package_name }}.ports.notifications import NotificationStore

CURRENCY = "USD"


def the_operators_play() -> list[str]:
    """A bet, its big win, a bonus the operator's wallet credited and a small win, as the bus carries them."""
    return bus_bodies(
        platform_event("BetPlaced", PLAYER, "op-bet-1", 400, CURRENCY),
        platform_event("BetSettled", PLAYER, "op-win-1", 25_000, CURRENCY, bet_transaction_id="op-bet-1"),
        platform_event("BonusGranted", PLAYER, "op-bonus-1", 1_000, CURRENCY, funds="bonus"),
        platform_event("BetSettled", PLAYER, "op-win-2", 50, CURRENCY, bet_transaction_id="op-bet-1"),
    )


def service(store: NotificationStore, channel: InMemoryChannel, clock: FixedClock) -> NotificationService:
    found = NotificationService(
        store, channel, InMemoryEventPublisher(), clock, f"{PACKAGE}.notifications", big_win_threshold=10_000
    )
    found.update_preferences(PLAYER, PreferencesUpdate(marketing=True))
    return found


def test_the_operators_big_win_and_bonus_tell_the_player_once(clock: FixedClock) -> None:
    channel = InMemoryChannel()
    notifier = service(InMemoryNotificationStore(), channel, clock)
    bodies = the_operators_play()

    assert notifications.process_batch(sqs_event(*bodies, *bodies), notifier) == {"batchItemFailures": []}

    assert [(n.reason, n.text) for n in channel.delivered] == [
        (Reason.BIG_WIN, f"You won 250.00 {CURRENCY}."),
        (Reason.BONUS_GRANTED, f"A bonus of 10.00 {CURRENCY} is in your bonus balance."),
    ]


@pytest.mark.integration
def test_the_operators_events_through_dynamodb_tell_the_player_once(
    aws_tables: dict[str, str], clock: FixedClock
) -> None:
    channel = InMemoryChannel()
    notifier = service(DynamoNotificationStore(aws_tables["NotificationsTable"]), channel, clock)
    log = DynamoPlatformEventLog(aws_tables["PlatformEventsTable"])
    bodies = bus_bodies(
        *(platform_event("BetSettled", PLAYER, "op-win-1", 25_000, CURRENCY, bet_transaction_id="op-bet-1"),)
        * 2,
        log=log,
    )

    assert len(bodies) == 1  # the platform's redelivery is published once
    assert notifications.process_batch(sqs_event(*bodies, *bodies), notifier) == {"batchItemFailures": []}
    assert [n.reason for n in channel.delivered] == [Reason.BIG_WIN]
