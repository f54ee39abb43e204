"""The reporting app's functions on Azurite, called as the Functions host calls them.

ggrTotals adds a wallet bet (the CloudEvent Event Grid delivers) to its day's totals once, and raises on
a malformed message, so the host retries it and then moves it to the poison queue (on its queue, through
tools/azure/queue_host.py); dailyReport writes yesterday's totals to the reports container and announces
them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")
pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")
pytest.importorskip(
    "azure.storage.blob", reason="azure-storage-blob is not installed (requirements-azure.txt)"
)

import azure.functions as func
from azure.functions.timer import TimerRequest
from azure.storage.blob import BlobServiceClient
from tests.azure.azurite import Azurite
from tests.azure.queue_functions import drain_as_host
from tools.azure.event_grid import LocalEventGrid
from tools.azure.function_apps import index_of

from {{ cookiecutter.package_name }}.adapters import azure_environment
from {{ cookiecutter.package_name }}.adapters.event_grid import cloud_event
from {{ cookiecutter.package_name }}.adapters.memory import InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client
from {{ cookiecutter.package_name }}.adapters.table_reporting import TableGgrTotalsStore
from {{ cookiecutter.package_name }}.azure_apps import reporting
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.reporting import DailyTotals, Play, PlayTotals
from {{ cookiecutter.package_name }}.worker_events import MalformedEvent

YESTERDAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)


def bet(number: int, amount: int = 100) -> DomainEvent:
    return DomainEvent(
        name="BetPlaced",
        source="{{ cookiecutter.package_name }}.wallet",
        detail={
            "player_id": "player-1",
            "transaction_id": f"bet-{number}",
            "amount": amount,
            "currency": "EUR",
            "funds": "cash",
        },
        correlation_id=f"c-{number}",
        occurred_at=YESTERDAY,
    )


@pytest.fixture
def totals(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[TableGgrTotalsStore]:
    """A fresh Reporting table, and the app settings infra/ gives the reporting app, on Azurite."""
    table = table_factory()
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("REPORTING_TABLE_NAME", table.table_name)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    for cached in (reporting.totals_store, reporting.ggr_counter, reporting.daily_reporter):
        cached.cache_clear()
    yield TableGgrTotalsStore(table)
    for cached in (reporting.totals_store, reporting.ggr_counter, reporting.daily_reporter):
        cached.cache_clear()


def ggr_totals() -> Callable[[func.QueueMessage], None]:
    registered: Callable[[func.QueueMessage], None] = index_of(reporting.app)["ggrTotals"].call
    return registered


def test_a_bet_is_counted_once_and_a_malformed_message_raises(totals: TableGgrTotalsStore) -> None:
    body = json.dumps(cloud_event(bet(1, amount=250))).encode()
    function = ggr_totals()

    function(func.QueueMessage(body=body))
    function(func.QueueMessage(body=body))  # redelivered: counted once

    assert totals.day_totals(YESTERDAY.date()) == [
        DailyTotals(YESTERDAY.date(), "EUR", PlayTotals(bets=1, stakes=250))
    ]
    with pytest.raises(MalformedEvent):
        function(func.QueueMessage(body=b"{not an event"))
    no_time = cloud_event(bet(2))
    del no_time["data"]["occurred_at"]
    with pytest.raises(MalformedEvent, match="occurred_at"):
        function(func.QueueMessage(body=json.dumps(no_time).encode()))


def test_hosted_on_its_queue_a_malformed_message_is_poisoned_and_the_bets_count_once(
    totals: TableGgrTotalsStore, azure_storage: Azurite, queue_factory: Callable[[], str]
) -> None:
    name = queue_factory()
    grid = LocalEventGrid(azure_storage.connection_string, {name: frozenset(["BetPlaced"])})
    grid.publish([bet(1), bet(2)])
    queue_client(name, connection_string=azure_storage.connection_string).send_message("{not an event")
    grid.publish([bet(3), bet(1)])  # bet 1 published twice: counted once
    function = ggr_totals()

    deliveries = drain_as_host(azure_storage.connection_string, name, function)

    assert totals.day_totals(YESTERDAY.date()) == [
        DailyTotals(YESTERDAY.date(), "EUR", PlayTotals(bets=3, stakes=300))
    ]
    assert deliveries.poisoned == ["{not an event"]


def test_the_daily_report_timer_writes_yesterday_s_totals_and_announces_them(
    totals: TableGgrTotalsStore, azure_storage: Azurite, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = BlobServiceClient.from_connection_string(azure_storage.connection_string)
    container = service.create_container(f"reports-{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("REPORTS_CONTAINER", container.container_name)
    topic = InMemoryEventPublisher()
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: topic)
    day = YESTERDAY.date()
    totals.add(Play("bet-1", day, "EUR", PlayTotals(bets=1, stakes=1_000)))
    totals.add(Play("win-1", day, "EUR", PlayTotals(wins=400)))
    totals.add(Play("bet-2", day + timedelta(days=1), "EUR", PlayTotals(bets=1, stakes=5)))  # today's

    try:
        index_of(reporting.app)["dailyReport"].call(TimerRequest(past_due=False))

        key = f"reports/ggr/date={day.isoformat()}/ggr.json"
        written = json.loads(container.download_blob(key).readall())
        csv = container.download_blob(key.replace(".json", ".csv")).readall().decode()
    finally:
        container.delete_container()
    assert [(line["currency"], line["stakes"], line["wins"]) for line in written["currencies"]] == [
        ("EUR", 1_000, 400)
    ]
    assert csv.splitlines()[1].startswith(f"{day.isoformat()},EUR,")
    assert [(event.name, event.detail["report_date"]) for event in topic.events] == [
        ("DailyReportWritten", day.isoformat())
    ]
