"""The ledger jobs' AWS adapters' own requests: the DynamoDB scan's pages, the S3 sink's multipart upload.

The behaviour every adapter shares is tests/contract/test_ledger_jobs_store_contract.py; this file is AWS's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.contract.test_ledger_jobs_store_contract import KEY, NOW, wallet_at

from {{ cookiecutter.package_name }}.adapters.dynamodb_ledger_jobs import DynamoWalletScanner
from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.s3_exports import S3ExportSink
from {{ cookiecutter.package_name }}.domain.money import Money


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
