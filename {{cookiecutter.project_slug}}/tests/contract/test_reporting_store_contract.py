"""One suite per reporting port: the AWS adapters must behave exactly like the in-memory ones.

GgrTotalsStore runs against memory and DynamoDB, ReportWriter against memory and S3, on the moto server.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest
from tests.support.region import REGION
from tests.support.tables import load_resources

from {{ cookiecutter.package_name }}.adapters.dynamodb_reporting import DynamoGgrTotalsStore
from {{ cookiecutter.package_name }}.adapters.memory_reporting import (
    InMemoryGgrTotalsStore,
    InMemoryReportWriter,
)
from {{ cookiecutter.package_name }}.adapters.s3_reporting import S3ReportWriter
from {{ cookiecutter.package_name }}.domain.reporting import (
    DailyGgrReport,
    DailyTotals,
    Play,
    PlayTotals,
)
from {{ cookiecutter.package_name }}.ports.reporting import GgrTotalsStore, ReportWriter

DAY = date(2029, 12, 31)
AT = datetime(2029, 12, 31, 18, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", pytest.param("dynamodb", marks=pytest.mark.integration)])
def totals(request: pytest.FixtureRequest) -> GgrTotalsStore:
    if request.param == "memory":
        return InMemoryGgrTotalsStore()
    tables = request.getfixturevalue("aws_tables")
    return DynamoGgrTotalsStore(tables["ReportingTable"])


@pytest.fixture(scope="module")
def s3_client(moto_server: object) -> Any:
    return boto3.client("s3")


@pytest.fixture
def analytics_bucket(s3_client: Any) -> str:
    """A fresh bucket versioned like AnalyticsBucket in serverless.yml."""
    versioning = load_resources()["AnalyticsBucket"]["Properties"]["VersioningConfiguration"]
    name = f"analytics-{uuid.uuid4().hex[:12]}"
    extra = {} if REGION == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
    s3_client.create_bucket(Bucket=name, **extra)
    s3_client.put_bucket_versioning(Bucket=name, VersioningConfiguration=versioning)
    return name


@pytest.fixture(params=["memory", pytest.param("s3", marks=pytest.mark.integration)])
def writer(request: pytest.FixtureRequest) -> ReportWriter:
    if request.param == "memory":
        return InMemoryReportWriter()
    return S3ReportWriter(request.getfixturevalue("analytics_bucket"))


def bet(event_id: str, amount: int, currency: str = "EUR", at: datetime = AT) -> Play:
    play = Play.of_wallet_event("BetPlaced", event_id, amount, currency, at)
    assert play is not None
    return play


def win(event_id: str, amount: int, currency: str = "EUR") -> Play:
    play = Play.of_wallet_event("BetSettled", event_id, amount, currency, AT)
    assert play is not None
    return play


def rollback(event_id: str, amount: int, currency: str = "EUR") -> Play:
    play = Play.of_wallet_event("BetRolledBack", event_id, amount, currency, AT)
    assert play is not None
    return play


# GgrTotalsStore ----------------------------------------------------------------------------------


def test_a_day_without_play_has_no_totals(totals: GgrTotalsStore) -> None:
    assert totals.day_totals(DAY) == []


def test_play_adds_up_once_per_event(totals: GgrTotalsStore) -> None:
    assert totals.add(bet("bet-1", 1_000)) is True
    assert totals.add(win("win-1", 300)) is True
    assert totals.add(rollback("rollback-1", 200)) is True
    assert totals.add(bet("bet-1", 1_000)) is False

    assert totals.day_totals(DAY) == [
        DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=1_000, wins=300, rolled_back_stakes=200))
    ]


def test_bonus_totals_are_kept_beside_the_cash_ones(totals: GgrTotalsStore) -> None:
    bonus = PlayTotals(bonus_bets=1, bonus_stakes=700, bonus_wins=50, bonus_rolled_back_stakes=20)
    totals.add(bet("bet-1", 1_000))
    totals.add(Play("bonus-1", DAY, "EUR", bonus))

    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=1_000).plus(bonus))]


def test_totals_are_per_currency_in_currency_order(totals: GgrTotalsStore) -> None:
    totals.add(bet("bet-usd", 40, "USD"))
    totals.add(bet("bet-eur", 10, "EUR"))
    totals.add(bet("bet-gbp", 20, "GBP"))

    assert [(line.currency, line.totals.stakes) for line in totals.day_totals(DAY)] == [
        ("EUR", 10),
        ("GBP", 20),
        ("USD", 40),
    ]


def test_totals_of_one_day_do_not_leak_into_another(totals: GgrTotalsStore) -> None:
    totals.add(bet("bet-1", 10, at=datetime(2029, 12, 30, 23, 59, 59, tzinfo=UTC)))
    totals.add(bet("bet-2", 20, at=datetime(2029, 12, 31, 0, 0, tzinfo=UTC)))

    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=20))]


def test_concurrent_redeliveries_count_each_event_once(totals: GgrTotalsStore) -> None:
    plays = [bet(f"bet-{n}", 5) for n in range(15)]
    counted: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        for play in plays:
            result = totals.add(play)
            with lock:
                counted.append(result)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counted.count(True) == len(plays)
    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=15, stakes=75))]


@pytest.mark.integration
def test_counting_is_one_dynamodb_write_with_an_expiring_marker(aws_tables: dict[str, str]) -> None:
    totals = DynamoGgrTotalsStore(aws_tables["ReportingTable"])
    calls: list[str] = []
    totals.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

    totals.add(bet("bet-1", 100))

    assert calls == ["TransactWriteItems"]
    marker = totals.client.get_item(
        TableName=aws_tables["ReportingTable"], Key={"pk": {"S": "EVENT#bet-1"}, "sk": {"S": "EVENT"}}
    )["Item"]
    # Longer than the dead-letter queue keeps a message (14 days), so a redrive is still deduplicated.
    fifteen_days = 15 * 24 * 3600
    assert abs(int(marker["expires_at"]["N"]) - (time.time() + fifteen_days)) < 60


# ReportWriter ------------------------------------------------------------------------------------


def report(stakes: int) -> DailyGgrReport:
    return DailyGgrReport(DAY, (DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=stakes)),))


def stored(writer: ReportWriter, key: str) -> bytes:
    if isinstance(writer, InMemoryReportWriter):
        return writer.objects[key]
    assert isinstance(writer, S3ReportWriter)
    body: bytes = writer.client.get_object(Bucket=writer.bucket, Key=key)["Body"].read()
    return body


def versions(writer: ReportWriter, key: str) -> int:
    """How many times the object was (re)written."""
    if isinstance(writer, InMemoryReportWriter):
        return writer.writes
    assert isinstance(writer, S3ReportWriter)
    listed = writer.client.list_object_versions(Bucket=writer.bucket, Prefix=key)
    return len(listed.get("Versions", []))


def test_every_file_of_the_report_is_stored_under_its_key(writer: ReportWriter) -> None:
    written = report(1_000)

    locations = writer.write(written)

    assert [location.rsplit("/", 4)[1:] for location in locations] == [
        ["reports", "ggr", "date=2029-12-31", "ggr.json"],
        ["reports", "ggr", "date=2029-12-31", "ggr.csv"],
    ]
    for file, location in zip(written.files(), locations, strict=True):
        assert location.endswith("/" + file.key)
        assert stored(writer, file.key) == file.body


def test_writing_the_same_report_again_leaves_the_same_objects(writer: ReportWriter) -> None:
    json_key = report(1_000).files()[0].key
    writer.write(report(1_000))
    before = versions(writer, json_key)

    writer.write(report(1_000))

    assert versions(writer, json_key) == before
    assert stored(writer, json_key) == report(1_000).files()[0].body


def test_a_changed_report_replaces_the_objects(writer: ReportWriter) -> None:
    writer.write(report(1_000))

    writer.write(report(2_500))

    for file in report(2_500).files():
        assert stored(writer, file.key) == file.body


@pytest.mark.integration
def test_s3_reports_carry_their_content_type_and_digest(analytics_bucket: str) -> None:
    writer = S3ReportWriter(analytics_bucket)

    writer.write(report(1_000))

    head = writer.client.head_object(Bucket=analytics_bucket, Key="reports/ggr/date=2029-12-31/ggr.csv")
    assert head["ContentType"] == "text/csv"
    assert len(head["Metadata"]["sha256"]) == 64
