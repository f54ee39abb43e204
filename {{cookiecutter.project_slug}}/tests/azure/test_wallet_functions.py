"""The wallet's functions on Azurite, called as the Functions host calls them (through the apps' index).

The API's HTTP trigger (azure_apps/api.py) serves a real request, the Flask app through the WSGI
middleware, reading the player from App Service Authentication's principal and the balance from the
Wallet table; the wallet app's timer (walletOutbox) carries a deposit's events to the worker queues,
with the run's trace context and the deposit's correlation id, onto the worker's log lines.
"""

from __future__ import annotations

import base64
import importlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")
pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

import azure.functions as func
from azure.functions.timer import TimerRequest
from tests.azure.azurite import Azurite
from tools.azure.event_grid import LocalEventGrid
from tools.azure.function_apps import index_of

from {{ cookiecutter.package_name }} import observability
from {{ cookiecutter.package_name }}.adapters import azure_environment
from {{ cookiecutter.package_name }}.adapters.event_grid import event_from_delivery
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client
from {{ cookiecutter.package_name }}.adapters.table_outbox import pending_count
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
# The host's trace context of the relay's run (a W3C traceparent).
TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def principal(player_id: str) -> str:
    claims = [{"typ": "sub", "val": player_id}]
    return base64.b64encode(json.dumps({"auth_typ": "players", "claims": claims}).encode()).decode()


@pytest.fixture
def wallet_table(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Any:
    """A fresh Wallet table, and the app settings infra/ gives the apps, pointed at Azurite."""
    table = table_factory()
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("WALLET_TABLE_NAME", table.table_name)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    return table


def test_the_api_s_http_trigger_answers_a_player_s_balance_from_the_wallet_table(wallet_table: Any) -> None:
    Wallet(TableLedgerStore(wallet_table), FixedClock(START), "casino.wallet").deposit(
        "player-1", "dep-1", Money(2_500, "EUR"), correlation_id="c-1"
    )
    from {{ cookiecutter.package_name }}.azure_apps import api

    api = importlib.reload(api)  # its services read this test's settings on the first request
    serve = index_of(api.app)["api"].call

    answered = serve(
        func.HttpRequest(
            "GET",
            "https://casino.example/wallet",
            headers={"X-MS-CLIENT-PRINCIPAL": principal("player-1")},
            body=b"",
        ),
        None,
    )
    anonymous = serve(func.HttpRequest("GET", "https://casino.example/wallet", headers={}, body=b""), None)

    assert answered.status_code == 200
    assert json.loads(answered.get_body()) == {"currency": "EUR", "cash": 2_500, "bonus": 0}
    assert anonymous.status_code == 401


def test_the_outbox_timer_carries_a_deposit_s_events_to_the_worker_queue(
    wallet_table: Any,
    azure_storage: Azurite,
    queue_factory: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worker_queue, poison = queue_factory(), queue_factory()
    monkeypatch.setenv("OUTBOX_POISON_QUEUE", poison)
    # The topic's stand-in on Azurite: its subscription delivers FundsDeposited to `worker_queue`.
    grid = LocalEventGrid(azure_storage.connection_string, {worker_queue: frozenset(["FundsDeposited"])})
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: grid)
    Wallet(TableLedgerStore(wallet_table), FixedClock(START), "casino.wallet").deposit(
        "player-1", "dep-1", Money(2_500, "EUR"), correlation_id="c-1"
    )
    from {{ cookiecutter.package_name }}.azure_apps import wallet

    wallet.outbox_relay.cache_clear()
    relay = index_of(wallet.app)["walletOutbox"].run

    relay(TimerRequest(past_due=False))
    relay(TimerRequest(past_due=False))  # a second run publishes nothing new
    wallet.outbox_relay.cache_clear()

    delivered = [
        event_from_delivery(message.content)
        for message in queue_client(
            worker_queue, connection_string=azure_storage.connection_string
        ).receive_messages()
    ]
    assert [(event.name, event.detail["transaction_id"]) for event in delivered] == [
        ("FundsDeposited", "dep-1")
    ]
    assert pending_count(wallet_table) == 0


def test_the_relay_s_trace_and_the_deposit_s_correlation_id_reach_the_worker_s_log_lines(
    wallet_table: Any,
    azure_storage: Azurite,
    queue_factory: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    worker_queue, poison = queue_factory(), queue_factory()
    monkeypatch.setenv("OUTBOX_POISON_QUEUE", poison)
    grid = LocalEventGrid(azure_storage.connection_string, {worker_queue: frozenset(["FundsDeposited"])})
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: grid)
    service = f"trace-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(observability, "_logger", observability.JsonLinesLogger(service, "INFO"))
    Wallet(TableLedgerStore(wallet_table), FixedClock(START), "casino.wallet").deposit(
        "player-1", "dep-1", Money(2_500, "EUR"), correlation_id="c-1"
    )
    from {{ cookiecutter.package_name }}.azure_apps import queues, wallet

    wallet.outbox_relay.cache_clear()
    index_of(wallet.app)["walletOutbox"].run(TimerRequest(past_due=False), traceparent=TRACE)
    wallet.outbox_relay.cache_clear()
    queue = queue_client(worker_queue, connection_string=azure_storage.connection_string)
    (message,) = queue.receive_messages()
    # Event Grid -> queue -> worker: the code every module's queue function runs (azure_apps/queues.py).
    queues.handle(message.content, lambda event: event.text("transaction_id"), "deposit seen")

    delivered = json.loads(message.content)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if service in line]
    (relayed,) = [line for line in lines if line["message"] == "outbox relayed"]
    (seen,) = [line for line in lines if line["message"] == "deposit seen"]
    assert delivered["traceparent"] == TRACE
    assert delivered["data"]["correlation_id"] == "c-1"
    assert relayed["trace_id"] == seen["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert (seen["correlation_id"], seen["outcome"], seen["traceparent"]) == ("c-1", "dep-1", TRACE)
