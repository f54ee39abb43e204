"""The auditArchive and verifyAuditTrail functions through functions-framework: the chain on the Firestore
emulator, the archive bucket on recorded Cloud Storage answers (tests/gcp/cloud_storage_answers.py).

A pushed batch of sealed records becomes one write-once object; a batch that does not match its hashes
is refused (400) and writes nothing. The verification walks the Firestore chain against the archive's
anchors: intact answers 200, an anchor the chain does not hold answers 500 (the run fails).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from tests.gcp.cloud_storage_answers import RecordedCloudStorage, listing, stored
from tests.gcp.functions import function_client, scheduler_call
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters import cloud_storage
from {{ cookiecutter.package_name }}.adapters.firestore_audit import FirestoreAuditLog
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryAuditArchive
from {{ cookiecutter.package_name }}.domain.audit import AuditEvent, AuditRecord, AuditTrail
from {{ cookiecutter.package_name }}.gcp import audit_archive, verify_audit_trail

ARCHIVE = "casino-test-audit-archive"


@pytest.fixture
def archive_bucket(
    function_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[RecordedCloudStorage]:
    """AUDIT_ARCHIVE_BUCKET, its requests answered from the recording the test puts in `answers`."""
    storage = RecordedCloudStorage([])
    monkeypatch.setenv("AUDIT_ARCHIVE_BUCKET", ARCHIVE)
    monkeypatch.setattr(cloud_storage, "authorized_session", lambda: storage)
    # The functions keep their archive while the instance lives: each test starts a new instance.
    monkeypatch.setattr(audit_archive, "_archive", None)
    monkeypatch.setattr(verify_audit_trail, "_checked", None)
    return storage


def appended(firestore_client: Any, count: int, clock: FixedClock) -> list[AuditRecord]:
    """`count` critical events appended to the Firestore chain: the records the archive's topic gets."""
    handed = InMemoryAuditArchive()
    trail = AuditTrail(FirestoreAuditLog(DATABASE, firestore_client), handed, clock)
    events = [
        AuditEvent(
            event_id=f"event-{n}",
            name="PlayerSignInFailed",
            source="{{ cookiecutter.package_name }}.core",
            occurred_at="2030-01-01T12:00:00+00:00",
            correlation_id="c",
        )
        for n in range(count)
    ]
    return trail.record(events).appended


def archive_push(records: list[AuditRecord]) -> dict[str, Any]:
    """A wrapped push of the archive's topic: the body PubSubAuditArchiveQueue sends."""
    body = json.dumps({"records": [record.to_json() for record in records]}, sort_keys=True)
    message = {"data": base64.b64encode(body.encode()).decode(), "messageId": "m-9", "attributes": {}}
    return {"message": message, "subscription": "projects/casino-tests/subscriptions/audit-archive"}


def anchor_name(records: list[AuditRecord]) -> str:
    return f"chain/{records[0].sequence:020d}-{records[-1].sequence:020d}-{records[-1].hash}.jsonl"


def test_a_pushed_batch_is_archived_once_as_one_write_once_object(
    archive_bucket: RecordedCloudStorage, firestore_client: Any, clock: FixedClock
) -> None:
    records = appended(firestore_client, 3, clock)
    archive_bucket.answers.append(stored(anchor_name(records), 300, ARCHIVE))

    response = function_client("audit_archive").post("/", json=archive_push(records))

    assert response.status_code == 204, response.get_data(as_text=True)
    [sent] = archive_bucket.sent
    assert sent.params["ifGenerationMatch"] == "0"
    metadata, media = sent.multipart()
    assert metadata["name"] == anchor_name(records)
    assert [AuditRecord.from_json(json.loads(line)) for line in media.decode().splitlines()] == records


def test_a_batch_that_does_not_match_its_hashes_is_refused_and_writes_nothing(
    archive_bucket: RecordedCloudStorage, firestore_client: Any, clock: FixedClock
) -> None:
    [record] = appended(firestore_client, 1, clock)
    forged = replace(record, detail={"reason": "changed after the fact"})

    response = function_client("audit_archive").post("/", json=archive_push([forged]))

    assert response.status_code == 400
    assert "do not match their hashes" in response.get_data(as_text=True)
    assert archive_bucket.sent == []


def test_a_push_without_records_is_refused(archive_bucket: RecordedCloudStorage) -> None:
    response = function_client("audit_archive").post("/", json={"message": {"data": "bm90IGpzb24="}})

    assert response.status_code == 400
    assert archive_bucket.sent == []


def test_the_verification_of_an_intact_chain_and_its_anchors_answers_200(
    archive_bucket: RecordedCloudStorage, firestore_client: Any, clock: FixedClock
) -> None:
    records = appended(firestore_client, 4, clock)
    archive_bucket.answers.append(listing([anchor_name(records[:2]), anchor_name(records[2:])]))

    response = function_client("verify_audit_trail").post("/", headers=scheduler_call())

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {
        "records": 4,
        "anchors": 2,
        "intact": True,
        "broken_at": None,
        "reason": None,
    }
    assert archive_bucket.sent[0].params["prefix"] == "chain/"


def test_an_anchor_the_chain_does_not_hold_fails_the_verification(
    archive_bucket: RecordedCloudStorage, firestore_client: Any, clock: FixedClock
) -> None:
    records = appended(firestore_client, 2, clock)
    rewritten = f"chain/{1:020d}-{2:020d}-{'f' * 64}.jsonl"
    archive_bucket.answers.append(listing([anchor_name(records[:1]), rewritten]))

    response = function_client("verify_audit_trail").post("/", headers=scheduler_call())

    assert response.status_code == 500  # the run fails; Cloud Scheduler retries and finds the same break
