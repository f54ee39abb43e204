"""The ledger's scheduled jobs end to end through their Lambda handlers, on the moto server.

Reconciliation and the daily export, with the export bucket made from its definition in serverless.yml
and the environment the stack gives the functions (test_scheduled_jobs_moto.py's local stack).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from tests.integration.test_scheduled_jobs_moto import (
    PACKAGE,
    SCHEDULE_ID,
    JobStack,
    lambda_context,
    local_job_stack,
    published,
    scheduled_event,
)

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.compliance import RETENTION_YEARS
from {{ cookiecutter.package_name }}.domain.jobs import years_before
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import IdScope, Wallet
from {{ cookiecutter.package_name }}.handlers import data_export, reconciliation, retention_purge

pytestmark = pytest.mark.integration


@pytest.fixture
def job_stack(
    aws_tables: dict[str, str],
    events_client: Any,
    sqs_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[JobStack]:
    fixtures = (aws_tables, events_client, sqs_client, monkeypatch)
    handlers = (reconciliation, data_export, retention_purge)
    with local_job_stack("dataExport", ("LedgerExportBucket",), handlers, fixtures) as stack:
        monkeypatch.setattr(reconciliation, "RECHECK_PAUSE_SECONDS", 0)
        yield stack


def test_reconciliation_finds_a_planted_mismatch_and_publishes_it(
    job_stack: JobStack, sqs_client: Any, dynamodb_client: Any
) -> None:
    table = job_stack.tables["WalletTable"]
    wallet = Wallet(DynamoLedgerStore(table), FixedClock(datetime.now(UTC)), "w")
    for player in ("player-1", "player-2", "player-3"):
        wallet.deposit(player, f"{player}-dep", Money.of(1_000, "EUR"), correlation_id="c")
        wallet.place_bet(player, f"{player}-bet", Money.of(100, "EUR"), correlation_id="c")
    dynamodb_client.update_item(  # cash that no ledger entry accounts for
        TableName=table,
        Key={"pk": {"S": "PLAYER#player-2"}, "sk": {"S": "BALANCE"}},
        UpdateExpression="SET cash = cash + :planted",
        ExpressionAttributeValues={":planted": {"N": "75"}},
    )

    summary = reconciliation.handler(scheduled_event(datetime.now(UTC)), lambda_context())

    assert (summary["players_checked"], summary["mismatched_players"]) == (3, ["player-2"])
    (event,) = published(sqs_client, job_stack.published)
    assert (event["source"], event["detail-type"]) == (f"{PACKAGE}.scheduled_jobs", "ReconciliationMismatch")
    detail = event["detail"]
    assert (detail["correlation_id"], detail["player_id"]) == (SCHEDULE_ID, "player-2")
    assert (detail["ledger_cash"], detail["balance_cash"], detail["cash_difference"]) == (900, 975, -75)
    balance = wallet.balance("player-2")
    assert balance is not None
    assert balance.cash == 975  # reported, not repaired


def test_data_export_writes_yesterdays_ledger_to_the_bucket_and_a_rerun_replaces_it(
    job_stack: JobStack, sqs_client: Any
) -> None:
    clock = FixedClock(datetime(2030, 1, 1, 9, 0, tzinfo=UTC))
    wallet = Wallet(DynamoLedgerStore(job_stack.tables["WalletTable"]), clock, "w")
    wallet.deposit("player-1", "dep-1", Money.of(1_000, "EUR"), correlation_id="c")
    clock.advance(timedelta(hours=1))
    wallet.place_bet("player-1", "bet-1", Money.of(250, "EUR"), correlation_id="c")
    clock.advance(timedelta(days=1))
    wallet.place_bet("player-1", "bet-today", Money.of(250, "EUR"), correlation_id="c")
    s3 = boto3.client("s3")
    key = "exports/ledger/date=2030-01-01/ledger.jsonl"

    summary = data_export.handler(scheduled_event(datetime(2030, 1, 2, 0, 30, tzinfo=UTC)), lambda_context())
    rerun = data_export.handler(scheduled_event(datetime(2030, 1, 2, 0, 30, tzinfo=UTC)), lambda_context())

    assert summary == rerun
    assert (summary["key"], summary["entries"]) == (key, 2)
    body = s3.get_object(Bucket=job_stack.refs["LedgerExportBucket"], Key=key)["Body"].read().decode()
    assert sorted(json.loads(line)["transaction_id"] for line in body.splitlines()) == ["bet-1", "dep-1"]
    versions = s3.list_object_versions(Bucket=job_stack.refs["LedgerExportBucket"], Prefix=key)["Versions"]
    assert len(versions) == 2  # the same object, written twice; the bucket keeps the replaced version
    assert published(sqs_client, job_stack.published) == []

    with pytest.raises(data_export.InvalidExportRequest, match="date"):
        data_export.handler({"date": "2030-01-32"}, lambda_context())
    all_versions = s3.list_object_versions(Bucket=job_stack.refs["LedgerExportBucket"], Prefix="exports/")
    assert len(all_versions["Versions"]) == 2


def test_retention_purge_never_touches_the_ledger(job_stack: JobStack) -> None:
    clock = FixedClock(years_before(datetime.now(UTC), RETENTION_YEARS) - timedelta(days=2))
    ledger = DynamoLedgerStore(job_stack.tables["WalletTable"])
    Wallet(ledger, clock, "w").deposit("player-1", "dep-1", Money.of(1_000, "EUR"), correlation_id="c")

    retention_purge.handler(scheduled_event(datetime.now(UTC)), lambda_context())

    assert ledger.entry("player-1", IdScope.PAYMENT, "dep-1") is not None  # the ledger is never purged
