"""The reporting app's reportRuns on Azurite: another day's GGR report, asked for on a queue.

A timer takes no input: an operator puts {"job": "dailyReport", "date": "YYYY-MM-DD"} on the queue
`reporting-reportruns` (infra/modules/reporting: fed by operators, no Event Grid subscription), and
reportRuns runs dailyReport's step with that day. A refused message names its field and the fix in the
log, raises before anything is written or published, and, hosted on its queue, ends in the poison queue.
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
from azure.storage.blob import BlobServiceClient
from tests.azure.azurite import Azurite
from tests.azure.queue_functions import drain_as_host
from tools.azure.event_grid import subscriptions
from tools.azure.function_apps import declared, index_of

from {{ cookiecutter.package_name }}.adapters import azure_environment
from {{ cookiecutter.package_name }}.adapters.memory import InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client
from {{ cookiecutter.package_name }}.azure_apps import reporting
from {{ cookiecutter.package_name }}.domain.errors import ValidationFailed
from {{ cookiecutter.package_name }}.domain.reporting import Play, PlayTotals

TODAY = datetime.now(UTC).date()
DAY = TODAY - timedelta(days=3)


@pytest.fixture
def reports(
    azure_storage: Azurite,
    table_factory: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Any, InMemoryEventPublisher]]:
    """The reporting app's settings on Azurite: a fresh Reporting table and reports container; the topic."""
    table = table_factory()
    service = BlobServiceClient.from_connection_string(azure_storage.connection_string)
    container = service.create_container(f"reports-{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("REPORTING_TABLE_NAME", table.table_name)
    monkeypatch.setenv("REPORTS_CONTAINER", container.container_name)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    topic = InMemoryEventPublisher()
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: topic)
    cached = (reporting.totals_store, reporting.ggr_counter, reporting.daily_reporter)
    for function in cached:
        function.cache_clear()
    reporting.totals_store().add(Play("bet-1", DAY, "EUR", PlayTotals(bets=1, stakes=700)))
    yield container, topic
    for function in cached:
        function.cache_clear()
    container.delete_container()


def report_runs() -> Callable[[func.QueueMessage], None]:
    registered: Callable[[func.QueueMessage], None] = index_of(reporting.app)["reportRuns"].call
    return registered


def message(body: object) -> func.QueueMessage:
    return func.QueueMessage(body=(body if isinstance(body, str) else json.dumps(body)).encode())


def test_infra_gives_the_runs_queue_no_event_subscription() -> None:
    assert declared()["reporting"]["reportRuns"].queue == "reporting-reportruns"
    assert "reporting-reportruns" not in subscriptions()


def test_a_run_request_writes_that_day_s_report_and_announces_it(
    reports: tuple[Any, InMemoryEventPublisher],
) -> None:
    container, topic = reports

    report_runs()(message({"job": "dailyReport", "date": DAY.isoformat()}))

    written = json.loads(container.download_blob(f"reports/ggr/date={DAY.isoformat()}/ggr.json").readall())
    assert [(line["currency"], line["stakes"]) for line in written["currencies"]] == [("EUR", 700)]
    assert [(event.name, event.detail["report_date"]) for event in topic.events] == [
        ("DailyReportWritten", DAY.isoformat())
    ]


REFUSED = [
    ("{not json", "message", "JSON object"),
    ([DAY.isoformat()], "message", "JSON object"),
    ({"date": DAY.isoformat()}, "job", "dailyReport"),
    ({"job": "dataExport", "date": DAY.isoformat()}, "job", "dailyReport"),
    ({"job": "dailyReport"}, "date", "YYYY-MM-DD"),
    ({"job": "dailyReport", "date": DAY.strftime("%Y%m%d")}, "date", "YYYY-MM-DD"),
    ({"job": "dailyReport", "date": "2026-02-30"}, "date", "YYYY-MM-DD"),
    ({"job": "dailyReport", "date": TODAY.isoformat()}, "date", "finished UTC day"),
    ({"job": "dailyReport", "date": DAY.isoformat(), "force": True}, "force", "only job and date"),
]


@pytest.mark.parametrize(
    ("body", "field", "fix"),
    REFUSED,
    ids=[
        "not-json",
        "not-object",
        "no-job",
        "other-app-s-job",
        "no-date",
        "compact-date",
        "no-such-day",
        "today",
        "unknown-field",
    ],
)
def test_a_refused_request_names_its_field_and_writes_nothing(
    reports: tuple[Any, InMemoryEventPublisher],
    caplog: pytest.LogCaptureFixture,
    body: object,
    field: str,
    fix: str,
) -> None:
    container, topic = reports

    with pytest.raises((ValueError, ValidationFailed), match=fix) as refused:
        report_runs()(message(body))

    assert str(refused.value).startswith(field)
    refusals = [record for record in caplog.records if record.levelname == "ERROR"]
    assert [(record.getMessage(), getattr(record, "field", None)) for record in refusals] == [
        ("report run refused", field)
    ]
    assert list(container.list_blobs()) == []
    assert topic.events == []


def test_hosted_on_its_queue_a_refused_request_is_poisoned_and_a_good_one_runs(
    reports: tuple[Any, InMemoryEventPublisher], azure_storage: Azurite, queue_factory: Callable[[], str]
) -> None:
    container, topic = reports
    name = queue_factory()
    queue = queue_client(name, connection_string=azure_storage.connection_string)
    refused = json.dumps({"job": "dailyReport", "date": "26/11/2026"})
    queue.send_message(refused)
    queue.send_message(json.dumps({"job": "dailyReport", "date": DAY.isoformat()}))
    function = report_runs()

    deliveries = drain_as_host(azure_storage.connection_string, name, function)

    assert deliveries.poisoned == [refused]
    assert deliveries.processed == 1
    assert [blob.name for blob in container.list_blobs()] == [
        f"reports/ggr/date={DAY.isoformat()}/ggr.csv",
        f"reports/ggr/date={DAY.isoformat()}/ggr.json",
    ]
    assert [event.detail["report_date"] for event in topic.events] == [DAY.isoformat()]
