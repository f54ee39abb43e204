"""The notifications app's queue function (notifications) on Azurite, called as the host calls it (its index).

A big win, as the wallet's outbox relay publishes it and Event Grid delivers it, is told to the player
once (its delivery marker in the Notifications table; a redelivery tells nothing new); a malformed
message raises, so the host retries and then poisons it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")
pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

import azure.functions as func
from tests.azure.azurite import Azurite
from tools.azure.function_apps import index_of

from {{ cookiecutter.package_name }}.adapters import azure_environment
from {{ cookiecutter.package_name }}.adapters.event_grid import cloud_event
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.table_outbox import TableOutboxRelay
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.azure_apps import notifications as app
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.worker_events import MalformedEvent

NOW = datetime.now(UTC)
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"


class NoDeadLetters:
    def send(self, body: str) -> None:
        raise AssertionError(f"no entry of this test is poison: {body}")


@pytest.fixture
def notifications_table(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """A fresh Notifications table, and the notifications app's settings on Azurite."""
    table = table_factory()
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("NOTIFICATIONS_TABLE_NAME", table.table_name)
    monkeypatch.setenv("BIG_WIN_THRESHOLD", "100000")
    # A big win is marketing: told to a player who did not opt out when marketing is on by default.
    monkeypatch.setenv("MARKETING_DEFAULT", "true")
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: InMemoryEventPublisher())
    app.notification_service.cache_clear()
    yield table
    app.notification_service.cache_clear()


def big_win(wallet_table: Any) -> func.QueueMessage:
    """A bet and its big win made in the wallet, the win's BetSettled as the relay publishes it."""
    wallet = Wallet(TableLedgerStore(wallet_table), FixedClock(NOW), WALLET_SOURCE)
    wallet.deposit("player-1", "dep-1", Money(10_000, "EUR"), correlation_id="c-1")
    wallet.place_bet("player-1", "bet-1", Money(1_000, "EUR"), correlation_id="c-1")
    wallet.settle_win("player-1", "win-1", "bet-1", Money(150_000, "EUR"), correlation_id="c-1")
    topic = InMemoryEventPublisher()
    TableOutboxRelay(wallet_table, topic, NoDeadLetters()).relay()
    [settled] = [event for event in topic.events if event.name == "BetSettled"]
    return func.QueueMessage(body=json.dumps(cloud_event(settled)).encode())


def test_a_big_win_is_told_to_the_player_once(
    notifications_table: Any, table_factory: Callable[..., Any]
) -> None:
    message = big_win(table_factory())
    notifications = index_of(app.app)["notifications"].call

    notifications(message)
    notifications(message)  # redelivered: told once

    deliveries = list(notifications_table.query_entities("RowKey eq 'DELIVERY'"))
    assert [(delivery["state"], delivery["outcome"]) for delivery in deliveries] == [("done", "sent")]


def test_a_malformed_notifications_message_raises(notifications_table: Any) -> None:
    notifications = index_of(app.app)["notifications"].call
    with pytest.raises(MalformedEvent):
        notifications(func.QueueMessage(body=b"{not an event"))
    with pytest.raises(MalformedEvent):
        notifications(
            func.QueueMessage(body=json.dumps({"type": "BetSettled", "data": {"amount": 5}}).encode())
        )
