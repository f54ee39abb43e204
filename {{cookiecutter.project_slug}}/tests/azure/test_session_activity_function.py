"""The sessions app's queue function (sessionActivity) on Azurite, hosted as the Functions host runs it.

A valid message (the CloudEvent Event Grid delivers) adds its bet to the session once; a malformed one
raises, so the host retries it and, after host.json's maxDequeueCount receives, moves it to the poison
queue (tools/azure/queue_host.py, as tests/azure/test_queue_poison.py pins it), while the good ones pass.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")
pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

import azure.functions as func
from tests.azure.azurite import Azurite
from tests.azure.queue_functions import drain_as_host
from tools.azure.event_grid import LocalEventGrid
from tools.azure.function_apps import index_of
from tools.azure.queue_host import queue_settings

from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client
from {{ cookiecutter.package_name }}.adapters.table_sessions import TableSessionStore
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.sessions import Session, SessionStatus
from {{ cookiecutter.package_name }}.worker_events import MalformedEvent

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def bet(number: int, session_id: str = "session-1") -> DomainEvent:
    return DomainEvent(
        name="BetPlaced",
        source="{{ cookiecutter.package_name }}.wallet",
        detail={
            "player_id": "player-1",
            "session_id": session_id,
            "transaction_id": f"bet-{number}",
            "amount": 100,
        },
        correlation_id=f"c-{number}",
        occurred_at=START,
    )


@pytest.fixture
def sessions(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Any:
    """A fresh Sessions table with one active session, and the sessions app's settings on Azurite."""
    table = table_factory()
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("SESSIONS_TABLE_NAME", table.table_name)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    store = TableSessionStore(table)
    store.start(
        Session("session-1", "player-1", SessionStatus.ACTIVE, started_at=START, last_seen_at=START),
        max_active=3,
    )
    from {{ cookiecutter.package_name }}.azure_apps import sessions as app

    app.session_service.cache_clear()
    yield store
    app.session_service.cache_clear()


def session_activity() -> Callable[[func.QueueMessage], None]:
    from {{ cookiecutter.package_name }}.azure_apps import sessions as app

    registered: Callable[[func.QueueMessage], None] = index_of(app.app)["sessionActivity"].call
    return registered


def test_a_valid_message_adds_its_bet_once_and_a_malformed_one_raises(sessions: TableSessionStore) -> None:
    import json

    from {{ cookiecutter.package_name }}.adapters.event_grid import cloud_event

    body = json.dumps(cloud_event(bet(1))).encode()
    function = session_activity()

    function(func.QueueMessage(body=body))
    function(func.QueueMessage(body=body))  # redelivered: applied once

    session = sessions.get("session-1")
    assert session is not None
    assert (session.activity.bets, session.activity.staked) == (1, 100)
    with pytest.raises(MalformedEvent):
        function(func.QueueMessage(body=b"{not an event"))
    with pytest.raises(MalformedEvent):
        function(
            func.QueueMessage(body=json.dumps({"type": "BetPlaced", "data": {"session_id": 7}}).encode())
        )


def test_hosted_on_its_queue_a_malformed_message_is_poisoned_and_the_bets_count_once(
    sessions: TableSessionStore, azure_storage: Azurite, queue_factory: Callable[[], str]
) -> None:
    name = queue_factory()
    grid = LocalEventGrid(azure_storage.connection_string, {name: frozenset(["BetPlaced"])})
    grid.publish([bet(1), bet(2)])
    queue_client(name, connection_string=azure_storage.connection_string).send_message("{not an event")
    grid.publish([bet(3)])
    function = session_activity()

    deliveries = drain_as_host(azure_storage.connection_string, name, function)

    session = sessions.get("session-1")
    assert session is not None
    assert (session.activity.bets, session.activity.staked) == (3, 300)
    assert deliveries.poisoned == ["{not an event"]
    assert deliveries.failures == queue_settings().max_dequeue_count
