"""The scheduled jobs app's ledger timers on Azurite, called as the Functions host calls them.

reconciliation finds a balance that differs from its ledger and publishes ReconciliationMismatch for
it; dataExport writes yesterday's ledger entries to the exports container as JSON lines.
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

from azure.data.tables import UpdateMode
from azure.functions.timer import TimerRequest
from azure.storage.blob import BlobServiceClient
from tests.azure.azurite import Azurite
from tests.azure.log_queries import alert_queries, counts
from tests.support.alert_lines import use_deployed_logger
from tools.azure.function_apps import index_of

from {{ cookiecutter.package_name }}.adapters import azure_environment
from {{ cookiecutter.package_name }}.adapters.azure_tables import int64
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.azure_apps import jobs, jobs_wallet
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.workers import ledger_jobs

YESTERDAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)


@pytest.fixture
def exports(azure_storage: Azurite, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh exports container (EXPORTS_CONTAINER), deleted after the test."""
    service = BlobServiceClient.from_connection_string(azure_storage.connection_string)
    container = service.create_container(f"exports-{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("EXPORTS_CONTAINER", container.container_name)
    yield container
    container.delete_container()


@pytest.fixture
def wallet_table(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """A fresh Wallet table, and the app settings infra/ gives the jobs app, pointed at Azurite."""
    table = table_factory()
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("WALLET_TABLE_NAME", table.table_name)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    monkeypatch.setattr(ledger_jobs, "RECHECK_PAUSE_SECONDS", 0)
    jobs_wallet.reconciliation_job.cache_clear()
    jobs_wallet.export_job.cache_clear()
    yield table
    jobs_wallet.reconciliation_job.cache_clear()
    jobs_wallet.export_job.cache_clear()


def test_the_reconciliation_timer_publishes_a_balance_that_differs_from_its_ledger(
    wallet_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = InMemoryEventPublisher()
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: topic)
    wallet = Wallet(TableLedgerStore(wallet_table), FixedClock(YESTERDAY), "casino.wallet")
    for player in ("player-1", "player-2"):
        wallet.deposit(player, f"{player}-dep", Money(1_000, "EUR"), correlation_id="c")
    # A balance changed outside the ledger: what reconciliation is there to find.
    wallet_table.update_entity(
        {"PartitionKey": "player-2", "RowKey": "BALANCE", "cash": int64(1_500)}, mode=UpdateMode.MERGE
    )

    index_of(jobs.app)["reconciliation"].call(TimerRequest(past_due=False))

    assert [(event.name, event.detail["player_id"]) for event in topic.events] == [
        ("ReconciliationMismatch", "player-2")
    ]


def test_a_mismatch_is_counted_by_the_reconciliation_alert(
    wallet_table: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """infra/monitoring.tf's reconciliation alert counts the line a mismatch writes, in the logger a
    deployed app has (JSON lines: no Powertools in the Azure runtime lock), and no line of a run that
    balances."""
    use_deployed_logger(monkeypatch)
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: InMemoryEventPublisher())
    mismatch = alert_queries()["reconciliation-mismatch"]
    wallet = Wallet(TableLedgerStore(wallet_table), FixedClock(YESTERDAY), "casino.wallet")
    wallet.deposit("player-1", "player-1-dep", Money(1_000, "EUR"), correlation_id="c")
    reconcile = index_of(jobs.app)["reconciliation"]
    capsys.readouterr()

    reconcile.call(TimerRequest(past_due=False))
    balanced = capsys.readouterr().out.splitlines()
    wallet_table.update_entity(
        {"PartitionKey": "player-1", "RowKey": "BALANCE", "cash": int64(1_500)}, mode=UpdateMode.MERGE
    )
    reconcile.call(TimerRequest(past_due=False))
    differing = capsys.readouterr().out.splitlines()

    assert balanced
    assert not any(counts(mismatch, line) for line in balanced)
    assert len([line for line in differing if counts(mismatch, line)]) == 1


def test_the_export_timer_writes_yesterday_s_entries_as_json_lines(wallet_table: Any, exports: Any) -> None:
    clock = FixedClock(YESTERDAY - timedelta(days=1))
    wallet = Wallet(TableLedgerStore(wallet_table), clock, "casino.wallet")
    wallet.deposit("player-1", "dep-before", Money(1_000, "EUR"), correlation_id="c")
    clock.advance(timedelta(days=1))
    wallet.deposit("player-1", "dep-1", Money(1_000, "EUR"), correlation_id="c")
    wallet.place_bet("player-1", "bet-1", Money(300, "EUR"), correlation_id="c")

    index_of(jobs.app)["dataExport"].call(TimerRequest(past_due=False))

    blob = exports.get_blob_client(f"exports/ledger/date={YESTERDAY.date().isoformat()}/ledger.jsonl")
    lines = [json.loads(line) for line in blob.download_blob().readall().decode().splitlines()]
    assert sorted(line["transaction_id"] for line in lines) == ["bet-1", "dep-1"]
    assert blob.get_blob_properties().content_settings.content_type == "application/x-ndjson"
