"""The Cloud Storage adapters on recorded JSON API answers: the audit archive and the exports' sink.

Each test checks the requests the adapter sent (method, URL, the parameters that matter, such as
`ifGenerationMatch=0` for a write-once object, and the upload's metadata and body) and what it made of
the answers, errors included.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from tests.gcp.cloud_storage_answers import (
    BUCKET,
    PRECONDITION_FAILED,
    RecordedCloudStorage,
    answer,
    error,
    listing,
    stored,
)

from {{ cookiecutter.package_name }}.adapters.cloud_storage import (
    ENDPOINT,
    UPLOAD_ENDPOINT,
    CloudStorageAuditArchive,
    CloudStorageBucket,
    CloudStorageExportSink,
    StorageRequestFailed,
)
from {{ cookiecutter.package_name }}.domain.audit import (
    Anchor,
    AuditEvent,
    AuditRecord,
    ChainHead,
    link,
)

KEY = "exports/ledger/date=2029-12-31/ledger.jsonl"


def records(count: int = 2) -> list[AuditRecord]:
    events = [
        AuditEvent(
            event_id=f"event-{n}",
            name="PlayerSignInFailed",
            source="{{ cookiecutter.package_name }}.core",
            occurred_at="2030-01-01T12:00:00+00:00",
            correlation_id="c",
            detail={},
        )
        for n in range(count)
    ]
    return link(ChainHead(sequence=0, hash="0" * 64), events, datetime(2030, 1, 1, tzinfo=UTC))


def archive_on(*answers: object) -> tuple[CloudStorageAuditArchive, RecordedCloudStorage]:
    storage = RecordedCloudStorage(list(answers))  # type: ignore[arg-type]
    return CloudStorageAuditArchive(CloudStorageBucket(BUCKET, session=lambda: storage)), storage


def test_a_batch_is_archived_as_one_object_only_if_none_has_its_name() -> None:
    batch = records()
    name = f"chain/{1:020d}-{2:020d}-{batch[-1].hash}.jsonl"
    archive, storage = archive_on(stored(name, 100))

    archive.store(batch)

    [sent] = storage.sent
    assert (sent.method, sent.url) == ("POST", f"{UPLOAD_ENDPOINT}/b/{BUCKET}/o")
    assert sent.params == {"uploadType": "multipart", "ifGenerationMatch": "0"}
    metadata, media = sent.multipart()
    assert metadata["name"] == name
    assert metadata["contentType"] == "application/x-ndjson"
    digest = hashlib.md5(media, usedforsecurity=False).digest()
    assert metadata["md5Hash"] == base64.b64encode(digest).decode()
    assert [AuditRecord.from_json(json.loads(line)) for line in media.decode().splitlines()] == batch


def test_a_batch_archived_already_changes_nothing_and_is_no_error() -> None:
    archive, storage = archive_on(PRECONDITION_FAILED)

    archive.store(records())

    assert len(storage.sent) == 1


def test_a_refused_write_fails_naming_the_object_and_the_role_to_check() -> None:
    denied = error(
        403, "archive@p.iam.gserviceaccount.com does not have storage.objects.create access", "forbidden"
    )
    archive, _ = archive_on(denied)

    with pytest.raises(
        StorageRequestFailed, match=r"writing gs://casino-dev-audit-archive/chain/.*403 .*role on the bucket"
    ):
        archive.store(records())


def test_a_body_that_does_not_match_its_md5_fails() -> None:
    mismatch = error(400, 'Provided MD5 hash "x" doesn\'t match calculated MD5 hash "y".', "invalid")
    archive, _ = archive_on(mismatch)

    with pytest.raises(StorageRequestFailed, match="400 Provided MD5 hash"):
        archive.store(records())


def test_anchors_are_read_from_the_names_page_by_page() -> None:
    hash_a, hash_b = "a" * 64, "b" * 64
    archive, storage = archive_on(
        listing([f"chain/{1:020d}-{3:020d}-{hash_a}.jsonl", "chain/notes.txt"], next_page="page-2"),
        listing([f"chain/{4:020d}-{4:020d}-{hash_b}.jsonl"]),
    )

    assert list(archive.anchors()) == [Anchor(3, hash_a), Anchor(4, hash_b)]
    first, second = storage.sent
    assert (first.method, first.url) == ("GET", f"{ENDPOINT}/b/{BUCKET}/o")
    assert first.params == {"prefix": "chain/", "fields": "items(name),nextPageToken"}
    assert second.params["pageToken"] == "page-2"


def test_an_empty_archive_has_no_anchors() -> None:
    archive, _ = archive_on(listing([]))

    assert list(archive.anchors()) == []


def test_an_archived_object_is_read_back_as_its_records() -> None:
    batch = records()
    body = "".join(json.dumps(record.to_json(), sort_keys=True) + "\n" for record in batch).encode()
    name = f"chain/{1:020d}-{2:020d}-{batch[-1].hash}.jsonl"
    archive, storage = archive_on(answer(200, body))

    assert archive.records(name) == batch
    assert storage.sent[0].url == f"{ENDPOINT}/b/{BUCKET}/o/{name.replace('/', '%2F')}"
    assert storage.sent[0].params == {"alt": "media"}


def test_an_object_that_is_not_there_reads_as_none() -> None:
    storage = RecordedCloudStorage([error(404, f"No such object: {BUCKET}/{KEY}", "notFound")])

    assert CloudStorageBucket(BUCKET, session=lambda: storage).read(KEY) is None


def test_an_export_replaces_its_object_and_answers_its_size() -> None:
    storage = RecordedCloudStorage([stored(KEY, 18)])
    sink = CloudStorageExportSink(CloudStorageBucket("casino-dev-ledger-exports", session=lambda: storage))

    size = sink.write(KEY, iter(['{"n": 1}', '{"n": 2}']))

    assert size == 18
    [sent] = storage.sent
    assert sent.params == {"uploadType": "multipart"}  # no ifGenerationMatch: a rerun replaces the day
    metadata, media = sent.multipart()
    assert (metadata["name"], media) == (KEY, b'{"n": 1}\n{"n": 2}\n')


def test_an_empty_export_is_an_empty_object() -> None:
    storage = RecordedCloudStorage([stored(KEY, 0)])
    sink = CloudStorageExportSink(CloudStorageBucket("casino-dev-ledger-exports", session=lambda: storage))

    assert sink.write(KEY, iter([])) == 0
    assert storage.sent[0].multipart()[1] == b""


def test_a_failing_export_sends_nothing() -> None:
    storage = RecordedCloudStorage([])
    sink = CloudStorageExportSink(CloudStorageBucket("casino-dev-ledger-exports", session=lambda: storage))

    def broken() -> Iterator[str]:
        yield '{"n": 2}'
        raise RuntimeError("the scan failed")

    with pytest.raises(RuntimeError, match="the scan failed"):
        sink.write(KEY, broken())

    assert storage.sent == []


def test_a_bucket_without_a_name_is_refused_naming_the_fix() -> None:
    with pytest.raises(ValueError, match="bucket's name is empty; set the function's bucket variable"):
        CloudStorageBucket("")
