"""The dataExport function through functions-framework: the ledger on the Firestore emulator, the exports
bucket on recorded Cloud Storage answers (tests/gcp/cloud_storage_answers.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.gcp.cloud_storage_answers import RecordedCloudStorage, stored
from tests.gcp.functions import PLAYER, function_client, scheduler_call
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters import cloud_storage
from {{ cookiecutter.package_name }}.adapters.firestore_wallet import FirestoreLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.gcp import data_export

EXPORTS = "casino-test-ledger-exports"
KEY = "exports/ledger/date=2026-12-03/ledger.jsonl"
WALLET = "{{ cookiecutter.package_name }}.wallet"


@pytest.fixture
def exports_bucket(
    function_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[RecordedCloudStorage]:
    """EXPORT_BUCKET_NAME, its requests answered from the recording the test puts in `answers`."""
    storage = RecordedCloudStorage([])
    monkeypatch.setenv("EXPORT_BUCKET_NAME", EXPORTS)
    monkeypatch.setattr(cloud_storage, "authorized_session", lambda: storage)
    monkeypatch.setattr(data_export, "_job", None)  # a new instance: its job is built on this bucket
    return storage


def test_the_scheduled_export_writes_the_days_entries_to_the_bucket(
    exports_bucket: RecordedCloudStorage, firestore_client: Any
) -> None:
    clock = FixedClock(datetime(2026, 12, 3, 23, 59, tzinfo=UTC))
    wallet = Wallet(FirestoreLedgerStore(DATABASE, firestore_client), clock, WALLET)
    wallet.deposit(PLAYER, "dep-1", Money.of(100, "EUR"), correlation_id="c")
    wallet.place_bet(PLAYER, "bet-1", Money.of(30, "EUR"), correlation_id="c")
    clock.advance(timedelta(minutes=2))  # the next day: not in this export
    wallet.deposit(PLAYER, "dep-2", Money.of(100, "EUR"), correlation_id="c")
    exports_bucket.answers.append(stored(KEY, 400, EXPORTS))

    response = function_client("data_export").post("/", headers=scheduler_call("2026-12-04T00:30:00Z"))

    assert response.status_code == 200, response.get_data(as_text=True)
    assert (response.get_json()["entries"], response.get_json()["key"]) == (2, KEY)
    [sent] = exports_bucket.sent
    metadata, media = sent.multipart()
    assert metadata["name"] == KEY
    assert sorted(json.loads(line)["transaction_id"] for line in media.decode().splitlines()) == [
        "bet-1",
        "dep-1",
    ]
    assert response.get_json()["bytes"] == len(media)


@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "2999-01-01"])
def test_a_day_that_cannot_be_exported_is_answered_400_naming_the_field(
    exports_bucket: RecordedCloudStorage, day: str
) -> None:
    response = function_client("data_export").post("/", json={"date": day})

    assert response.status_code == 400
    assert response.get_json()["error"].startswith("date: ")
    assert exports_bucket.sent == []
