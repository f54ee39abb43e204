"""One suite for the ledger jobs' ports: the DynamoDB and S3 adapters behave like the in-memory ones."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_ledger_jobs import DynamoWalletScanner
from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.memory_ledger_jobs import (
    InMemoryExportSink,
    InMemoryWalletScanner,
)
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.adapters.s3_exports import S3ExportSink
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import IdScope, Wallet
from {{ cookiecutter.package_name }}.ports.ledger_jobs import ExportSink, WalletScanner
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
KEY = "exports/ledger/date=2029-12-31/ledger.jsonl"


@pytest.fixture(params=["memory", pytest.param("dynamodb", marks=pytest.mark.integration)])
def wallet_table(request: pytest.FixtureRequest) -> tuple[WalletScanner, LedgerStore]:
    if request.param == "memory":
        ledger = InMemoryLedgerStore()
        return InMemoryWalletScanner(ledger), ledger
    tables = request.getfixturevalue("aws_tables")
    return DynamoWalletScanner(tables["WalletTable"]), DynamoLedgerStore(tables["WalletTable"])


@pytest.fixture
def export_bucket(moto_server: object) -> Iterator[tuple[Any, str]]:
    """A fresh versioned bucket on the moto server; emptied and removed afterwards."""
    s3 = boto3.client("s3")
    name = f"exports-{uuid.uuid4().hex[:12]}"
    region = s3.meta.region_name
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield s3, name
    versions = s3.list_object_versions(Bucket=name)
    for version in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        s3.delete_object(Bucket=name, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=name)


@pytest.fixture(params=["memory", pytest.param("s3", marks=pytest.mark.integration)])
def export_store(request: pytest.FixtureRequest) -> tuple[ExportSink, Callable[[str], bytes | None]]:
    """A sink and a way to read what it stored under a key (None: nothing)."""
    if request.param == "memory":
        sink = InMemoryExportSink()
        return sink, sink.objects.get
    s3, bucket = request.getfixturevalue("export_bucket")

    def read(key: str) -> bytes | None:
        try:
            body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        return body

    return S3ExportSink(bucket, s3), read


def wallet_at(ledger: LedgerStore, clock: FixedClock) -> Wallet:
    return Wallet(ledger, clock, "{{ cookiecutter.package_name }}.wallet")


# Wallet scans -----------------------------------------------------------------------------------


def test_every_player_with_a_balance_is_listed_once(wallet_table: tuple[WalletScanner, LedgerStore]) -> None:
    scanner, ledger = wallet_table
    wallet = wallet_at(ledger, FixedClock(NOW))
    for player in ("player-1", "player-2", "player-3"):
        wallet.deposit(player, f"{player}-dep", Money.of(100, "EUR"), correlation_id="c")
    wallet.place_bet("player-2", "bet-1", Money.of(50, "EUR"), correlation_id="c")
    # A rollback of a bet never seen, by a player with no wallet: ledger entries but no balance.
    wallet.rollback_bet("player-4", "rb-1", "bet-unseen", correlation_id="c")

    assert sorted(scanner.player_ids()) == ["player-1", "player-2", "player-3"]


def test_entries_of_a_day_include_its_first_instant_and_exclude_the_next_days(
    wallet_table: tuple[WalletScanner, LedgerStore],
) -> None:
    scanner, ledger = wallet_table
    clock = FixedClock(datetime(2029, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC))
    wallet = wallet_at(ledger, clock)
    wallet.deposit("player-1", "dep-before", Money.of(100, "EUR"), correlation_id="c")
    clock.advance(timedelta(microseconds=1))
    wallet.deposit("player-1", "dep-first", Money.of(100, "EUR"), correlation_id="c")
    clock.advance(timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999))
    wallet.rollback_bet("player-1", "rb-last", "bet-never-placed", correlation_id="c")
    clock.advance(timedelta(microseconds=1))
    wallet.deposit("player-1", "dep-next-day", Money.of(100, "EUR"), correlation_id="c")
    start = datetime(2030, 1, 1, tzinfo=UTC)

    found = {
        entry.transaction_id: entry
        for entry in scanner.entries_created_between(start, start + timedelta(days=1))
    }

    assert sorted(found) == ["bet-never-placed", "dep-first", "rb-last"]  # the tombstone included
    assert found["rb-last"] == ledger.entry("player-1", IdScope.GAME, "rb-last")


@pytest.mark.integration
def test_wallet_scans_skip_items_of_other_kinds_and_read_every_page(aws_tables: dict[str, str]) -> None:
    table = aws_tables["WalletTable"]
    scanner, ledger = DynamoWalletScanner(table), DynamoLedgerStore(table)
    wallet = wallet_at(ledger, FixedClock(NOW))
    for number in range(5):
        wallet.deposit(f"player-{number}", f"dep-{number}", Money.of(100, "EUR"), correlation_id="c")
    # What another module may keep in the wallet table next to balances and entries.
    for sk in ("PROTECTION", "LIMIT#deposit#day#2030-01-01"):
        scanner.client.put_item(
            TableName=table,
            Item={"pk": {"S": "PLAYER#player-9"}, "sk": {"S": sk}, "created_at": {"S": "2030-01-01T12:00"}},
        )
    scans: list[int] = []

    def small_pages(params: dict[str, Any], **_: object) -> None:
        params["Limit"] = 2  # pages of two items, so a scan that stops after one page misses players
        scans.append(1)

    scanner.client.meta.events.register("provide-client-params.dynamodb.Scan", small_pages)
    start = datetime(2030, 1, 1, tzinfo=UTC)

    assert sorted(scanner.player_ids()) == [f"player-{number}" for number in range(5)]
    pages = len(scans)
    assert sorted(
        e.transaction_id for e in scanner.entries_created_between(start, start + timedelta(days=1))
    ) == [f"dep-{number}" for number in range(5)]
    assert pages > 2


# Export sink ------------------------------------------------------------------------------------


def test_an_export_is_stored_as_lines_and_replaced_by_a_rewrite(
    export_store: tuple[ExportSink, Callable[[str], bytes | None]],
) -> None:
    sink, read = export_store

    first = sink.write(KEY, iter(['{"n": 1}', '{"n": 2}']))
    second = sink.write(KEY, iter(['{"n": 3}']))

    assert (first, second) == (18, 9)
    assert read(KEY) == b'{"n": 3}\n'


def test_an_empty_export_is_an_empty_object(
    export_store: tuple[ExportSink, Callable[[str], bytes | None]],
) -> None:
    sink, read = export_store

    assert sink.write(KEY, iter([])) == 0
    assert read(KEY) == b""


def test_a_failing_export_keeps_the_object_that_was_there(
    export_store: tuple[ExportSink, Callable[[str], bytes | None]],
) -> None:
    sink, read = export_store
    sink.write(KEY, iter(['{"n": 1}']))

    def broken() -> Iterator[str]:
        yield '{"n": 2}'
        raise RuntimeError("the scan failed")

    with pytest.raises(RuntimeError, match="the scan failed"):
        sink.write(KEY, broken())

    assert read(KEY) == b'{"n": 1}\n'


@pytest.mark.integration
def test_a_large_export_is_uploaded_in_parts_and_a_failure_aborts_the_upload(
    export_bucket: tuple[Any, str],
) -> None:
    s3, bucket = export_bucket
    sink = S3ExportSink(bucket, s3, part_size=5 * 1024 * 1024)  # S3's smallest part
    line = "x" * (3 * 1024 * 1024)
    calls: list[str] = []
    s3.meta.events.register("before-call.s3", lambda model, **_: calls.append(model.name))

    size = sink.write(KEY, iter([line, line, line]))

    assert size == 3 * (len(line) + 1)
    assert calls.count("UploadPart") == 2
    stored = s3.get_object(Bucket=bucket, Key=KEY)["Body"].read()
    assert stored == (line + "\n").encode() * 3

    def fails_after_a_part() -> Iterator[str]:
        yield from (line, line)
        raise RuntimeError("out of time")

    with pytest.raises(RuntimeError, match="out of time"):
        sink.write(KEY, fails_after_a_part())

    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == stored
