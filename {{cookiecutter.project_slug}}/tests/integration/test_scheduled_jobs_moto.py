"""Each scheduled job end to end through its Lambda handler, on the moto server.

The tables come from serverless.yml (tests/support/tables.py), the export bucket is made from its
definition there (tools/aws/stack.py, as `make dev` makes it), and each function gets the environment the
stack gives it. Published events reach a queue through a rule on the test's own bus, as they would reach
the stack's workers.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from tests.support.tables import create_event_bus
from tools.aws.stack import StackError, create_local_stack, load

from {{ cookiecutter.package_name }}.adapters.dynamodb_sessions import DynamoSessionStore
from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.compliance import RETENTION_YEARS
from {{ cookiecutter.package_name }}.domain.jobs import years_before
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.sessions import SessionService, SessionStatus
from {{ cookiecutter.package_name }}.domain.wallet import IdScope, Wallet
from {{ cookiecutter.package_name }}.handlers import (
    data_export,
    reconciliation,
    retention_purge,
    session_cleanup,
)

pytestmark = pytest.mark.integration

PACKAGE = "{{ cookiecutter.package_name }}"
SCHEDULE_ID = "5d1c9e0a-7f3b-4e2d-8c6a-9b0e1f2a3b4c"


@dataclass(frozen=True)
class JobStack:
    """The tables, the bus (with a queue that receives what the jobs publish) and the export bucket."""

    tables: dict[str, str]
    bucket: str
    published: str  # the capture queue's URL


def scheduled_event(at: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": SCHEDULE_ID,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [],
        "detail": {},
    }


def lambda_context() -> SimpleNamespace:
    return SimpleNamespace(
        aws_request_id=f"lambda-{uuid.uuid4().hex[:8]}", get_remaining_time_in_millis=lambda: 900_000
    )


@pytest.fixture
def job_stack(
    aws_tables: dict[str, str],
    events_client: Any,
    sqs_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[JobStack]:
    definition = load(source="serverless.yml")
    bucket_only = {"LedgerExportBucket": definition.resources["LedgerExportBucket"]}
    stack = create_local_stack(replace(definition, resources=bucket_only, parameter_arns=()), boto3.client)
    stack.refs.update(aws_tables)
    stack.refs["EventBus"] = bus = create_event_bus(events_client)
    # Every job's environment as the stack sets it (provider-wide here: the same for all four), but for
    # what names other modules' resources, which this test does not create.
    for name, value in definition.function("reconciliation").environment.items():
        try:
            monkeypatch.setenv(name, str(stack.resolve(value)))
        except StackError:
            monkeypatch.delenv(name, raising=False)
    for handler in (reconciliation, session_cleanup, data_export, retention_purge):
        monkeypatch.setattr(handler, "_job", None)  # built from this environment on first use
    monkeypatch.setattr(reconciliation, "RECHECK_PAUSE_SECONDS", 0)
    queue_url = sqs_client.create_queue(QueueName=f"published-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs_client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events_client.put_rule(
        Name="capture",
        EventBusName=bus,
        EventPattern=json.dumps({"source": [f"{PACKAGE}.scheduled_jobs", f"{PACKAGE}.sessions"]}),
    )
    events_client.put_targets(Rule="capture", EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])
    yield JobStack(tables=aws_tables, bucket=stack.refs["LedgerExportBucket"], published=queue_url)
    sqs_client.delete_queue(QueueUrl=queue_url)


def published(sqs_client: Any, queue_url: str) -> list[dict[str, Any]]:
    """The EventBridge events delivered to the capture queue so far."""
    events = []
    while True:
        messages = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return events
        for message in messages:
            events.append(json.loads(message["Body"]))
            sqs_client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


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


def test_session_cleanup_ends_idle_sessions_as_sign_outs(job_stack: JobStack, sqs_client: Any) -> None:
    store = DynamoSessionStore(job_stack.tables["SessionsTable"])
    clock = FixedClock(datetime.now(UTC) - timedelta(hours=2))
    sessions = SessionService(store, InMemoryEventPublisher(), clock, f"{PACKAGE}.sessions")
    idle = sessions.start_session("player-1", correlation_id="login").session_id
    clock.advance(timedelta(hours=2))
    fresh = sessions.start_session("player-2", correlation_id="login").session_id

    first = session_cleanup.handler(scheduled_event(datetime.now(UTC)), lambda_context())
    again = session_cleanup.handler(scheduled_event(datetime.now(UTC)), lambda_context())

    assert (first["ended"], again["ended"]) == (1, 0)
    ended, active = store.get(idle), store.get(fresh)
    assert ended is not None
    assert ended.status is SessionStatus.ENDED
    assert active is not None
    assert active.status is SessionStatus.ACTIVE
    (event,) = published(sqs_client, job_stack.published)
    assert (event["detail-type"], event["detail"]["session_id"]) == ("SessionUpdated", idle)
    assert (event["detail"]["status"], event["detail"]["correlation_id"]) == ("ended", SCHEDULE_ID)


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
    body = s3.get_object(Bucket=job_stack.bucket, Key=key)["Body"].read().decode()
    assert sorted(json.loads(line)["transaction_id"] for line in body.splitlines()) == ["bet-1", "dep-1"]
    versions = s3.list_object_versions(Bucket=job_stack.bucket, Prefix=key)["Versions"]
    assert len(versions) == 2  # the same object, written twice; the bucket keeps the replaced version
    assert published(sqs_client, job_stack.published) == []

    with pytest.raises(data_export.InvalidExportRequest, match="date"):
        data_export.handler({"date": "2030-01-32"}, lambda_context())
    assert len(s3.list_object_versions(Bucket=job_stack.bucket, Prefix="exports/")["Versions"]) == 2


def test_retention_purge_deletes_only_sessions_past_the_retention(job_stack: JobStack) -> None:
    store = DynamoSessionStore(job_stack.tables["SessionsTable"])
    long_ago = years_before(datetime.now(UTC), RETENTION_YEARS) - timedelta(days=2)
    clock = FixedClock(long_ago)
    sessions = SessionService(store, InMemoryEventPublisher(), clock, f"{PACKAGE}.sessions")
    ledger = DynamoLedgerStore(job_stack.tables["WalletTable"])
    Wallet(ledger, clock, "w").deposit("player-1", "dep-1", Money.of(1_000, "EUR"), correlation_id="c")
    expired = sessions.start_session("player-1", correlation_id="login").session_id
    sessions.end_session(expired, "player-1", correlation_id="logout")
    still_active = sessions.start_session("player-2", correlation_id="login").session_id
    clock.advance(timedelta(days=5))  # within the retention
    kept = sessions.start_session("player-1", correlation_id="login").session_id
    sessions.end_session(kept, "player-1", correlation_id="logout")

    first = retention_purge.handler(scheduled_event(datetime.now(UTC)), lambda_context())
    again = retention_purge.handler(scheduled_event(datetime.now(UTC)), lambda_context())

    assert (first["purged"], again["purged"]) == (1, 0)
    assert store.get(expired) is None
    assert store.get(kept) is not None
    assert store.get(still_active) is not None
    assert ledger.entry("player-1", IdScope.PAYMENT, "dep-1") is not None  # the ledger is never purged
