"""The jobs app's jobRuns on Azurite: another day's ledger export, asked for on a queue.

A timer takes no input: an operator puts {"job": "dataExport", "date": "YYYY-MM-DD"} on the queue
`jobs-jobruns` (infra/modules/scheduled_jobs: fed by operators, no Event Grid subscription), and jobRuns
runs dataExport's step with that day. A refused message names its field and the fix, raises before
anything is written, and, hosted on its queue, ends in the poison queue.
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

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.azure_apps import jobs, jobs_wallet
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

TODAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
DAY = TODAY - timedelta(days=3)


@pytest.fixture
def ledger(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """A Wallet table with a deposit three days ago and a fresh exports container,."""
    table = table_factory()
    service = BlobServiceClient.from_connection_string(azure_storage.connection_string)
    container = service.create_container(f"exports-{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("WALLET_TABLE_NAME", table.table_name)
    monkeypatch.setenv("EXPORTS_CONTAINER", container.container_name)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    Wallet(TableLedgerStore(table), FixedClock(DAY), "casino.wallet").deposit(
        "player-1", "dep-1", Money(1_000, "EUR"), correlation_id="c"
    )
    jobs_wallet.export_job.cache_clear()
    yield container
    jobs_wallet.export_job.cache_clear()
    container.delete_container()


def job_runs() -> Callable[[func.QueueMessage], None]:
    registered: Callable[[func.QueueMessage], None] = index_of(jobs.app)["jobRuns"].call
    return registered


def message(body: object) -> func.QueueMessage:
    return func.QueueMessage(body=(body if isinstance(body, str) else json.dumps(body)).encode())


def test_infra_gives_the_runs_queue_no_event_subscription() -> None:
    assert declared()["jobs"]["jobRuns"].queue == "jobs-jobruns"
    assert "jobs-jobruns" not in subscriptions()


def test_a_run_request_exports_that_day_s_ledger(ledger: Any) -> None:
    job_runs()(message({"job": "dataExport", "date": DAY.date().isoformat()}))

    blob = ledger.get_blob_client(f"exports/ledger/date={DAY.date().isoformat()}/ledger.jsonl")
    lines = [json.loads(line) for line in blob.download_blob().readall().decode().splitlines()]
    assert [line["transaction_id"] for line in lines] == ["dep-1"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "message"),
        ({"job": "reconciliation", "date": "2026-11-26"}, "job"),
        ({"job": "dataExport", "date": "2026-11-31"}, "date"),
        ({"job": "dataExport", "date": TODAY.date().isoformat()}, "date"),
        ({"job": "dataExport", "date": "2026-11-26", "player_id": "p"}, "player_id"),
    ],
    ids=["not-json", "unknown-job", "no-such-day", "today", "unknown-field"],
)
def test_a_refused_request_names_its_field_and_exports_nothing(ledger: Any, body: object, field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}: ") as refused:
        job_runs()(message(body))

    assert str(refused.value).startswith(f"{field}:")
    assert list(ledger.list_blobs()) == []


def test_hosted_on_its_queue_a_refused_request_is_poisoned_and_a_good_one_runs(
    ledger: Any, azure_storage: Azurite, queue_factory: Callable[[], str]
) -> None:
    name = queue_factory()
    queue = queue_client(name, connection_string=azure_storage.connection_string)
    refused = json.dumps({"job": "dataexport", "date": DAY.date().isoformat()})
    queue.send_message(refused)
    queue.send_message(json.dumps({"job": "dataExport", "date": DAY.date().isoformat()}))
    function = job_runs()

    deliveries = drain_as_host(azure_storage.connection_string, name, function)

    assert deliveries.poisoned == [refused]
    assert deliveries.processed == 1
    assert [blob.name for blob in ledger.list_blobs()] == [
        f"exports/ledger/date={DAY.date().isoformat()}/ledger.jsonl"
    ]
