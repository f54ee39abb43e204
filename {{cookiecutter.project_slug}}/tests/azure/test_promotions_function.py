"""The promotions app's queue function (promotions) on Azurite, called as the host calls it (its index).

A player's first deposit, as the wallet's outbox relay publishes it and Event Grid delivers it, grants
the welcome bonus into the Wallet table once (a redelivery grants nothing more); a malformed message
raises, so the host retries and then poisons it.
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
from {{ cookiecutter.package_name }}.adapters.table_promotions import TablePromotionStore
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.azure_apps import promotions as app
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.promotions import packaged_promotions
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.worker_events import MalformedEvent

NOW = datetime.now(UTC)
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"


class NoDeadLetters:
    def send(self, body: str) -> None:
        raise AssertionError(f"no entry of this test is poison: {body}")


@pytest.fixture
def tables(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, Any]]:
    """Fresh Wallet and Promotions tables, and the promotions app's settings on Azurite."""
    wallet, promotions = table_factory(), table_factory()
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("WALLET_TABLE_NAME", wallet.table_name)
    monkeypatch.setenv("PROMOTIONS_TABLE_NAME", promotions.table_name)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: InMemoryEventPublisher())
    app.promotion_service.cache_clear()
    yield wallet, promotions
    app.promotion_service.cache_clear()


def first_deposit(wallet_table: Any, currency: str) -> func.QueueMessage:
    """A first deposit made in the wallet, its FundsDeposited as the relay publishes it, delivered."""
    wallet = Wallet(TableLedgerStore(wallet_table), FixedClock(NOW), WALLET_SOURCE)
    wallet.deposit("player-1", "dep-1", Money(5_000, currency), correlation_id="c-1")
    topic = InMemoryEventPublisher()
    TableOutboxRelay(wallet_table, topic, NoDeadLetters()).relay()
    [deposited] = [event for event in topic.events if event.name == "FundsDeposited"]
    return func.QueueMessage(body=json.dumps(cloud_event(deposited)).encode())


def test_a_first_deposit_grants_the_welcome_bonus_once(tables: tuple[Any, Any]) -> None:
    wallet_table, promotions_table = tables
    welcome = next(
        promotion for promotion in packaged_promotions() if promotion.trigger.value == "first_deposit"
    )
    message = first_deposit(wallet_table, welcome.currency)
    promotions = index_of(app.app)["promotions"].call

    promotions(message)
    promotions(message)  # redelivered: no second bonus

    balance = TableLedgerStore(wallet_table).balance("player-1")
    assert balance is not None
    assert (balance.cash, balance.bonus) == (5_000, min(5_000, welcome.bonus))  # a 100% match, capped
    grant = TablePromotionStore(promotions_table).grant("player-1", welcome.promotion_id)
    assert grant is not None


def test_a_malformed_promotions_message_raises(tables: tuple[Any, Any]) -> None:
    promotions = index_of(app.app)["promotions"].call
    with pytest.raises(MalformedEvent):
        promotions(func.QueueMessage(body=b"{not an event"))
    with pytest.raises(MalformedEvent):
        promotions(
            func.QueueMessage(body=json.dumps({"type": "FundsDeposited", "data": {"amount": 5}}).encode())
        )
