"""The Cloud Storage adapters on a real local server of the JSON API: fake-gcs-server
(tools/gcp/emulators.py), as the local run and the contract suites use it.

What the server serves and the adapters rely on: multipart uploads with their metadata, the
`ifGenerationMatch` precondition (0: only if absent; a generation: only if still that one), reads with
alt=media, metadata reads, listings by prefix, versioned buckets. What it does not serve, tested on
recorded answers instead (tests/gcp/test_cloud_storage.py): the check of an upload's `md5Hash` against
its body (it stores a mismatching body), and retention policies (it keeps none, so it lets an object be
deleted): the nearest real thing here is that a write-once object is never replaced.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from tools.gcp.emulators import StorageServer

from {{ cookiecutter.package_name }}.adapters.cloud_storage import (
    ABSENT,
    ENDPOINT,
    UPLOAD_ENDPOINT,
    CloudStorageBucket,
    local_storage_host,
)

NAME = "reports/ggr/date=2029-12-31/ggr.json"


@pytest.fixture
def bucket(storage_bucket: str, storage_environment: dict[str, str]) -> CloudStorageBucket:
    """The adapter on a new bucket of the local server, as a local run's function builds it."""
    return CloudStorageBucket(storage_bucket, environ=storage_environment)


def test_the_local_server_is_honoured_only_beside_the_firestore_emulator() -> None:
    """A deployed function carries neither variable (the audit's no-local-run-variables control); the
    local server's variable alone does not turn a deployed function away from Cloud Storage."""
    alone = CloudStorageBucket("b", environ={"STORAGE_EMULATOR_HOST": "127.0.0.1:9"})
    assert (alone.endpoint, alone.upload_endpoint) == (ENDPOINT, UPLOAD_ENDPOINT)
    assert local_storage_host({"STORAGE_EMULATOR_HOST": "127.0.0.1:9"}) is None

    local = CloudStorageBucket(
        "b", environ={"STORAGE_EMULATOR_HOST": "127.0.0.1:9", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8"}
    )
    assert local.endpoint == "http://127.0.0.1:9/storage/v1"
    assert local.upload_endpoint == "http://127.0.0.1:9/upload/storage/v1"


def test_an_object_written_only_if_absent_is_never_replaced(bucket: CloudStorageBucket) -> None:
    assert bucket.upload(NAME, b"first\n", "application/json", if_generation_match=ABSENT) is True

    assert bucket.upload(NAME, b"second\n", "application/json", if_generation_match=ABSENT) is False
    assert bucket.read(NAME) == b"first\n"


def test_a_write_conditioned_on_a_stale_generation_changes_nothing(bucket: CloudStorageBucket) -> None:
    bucket.upload(NAME, b"first\n", "application/json")
    found = bucket.stat(NAME)
    assert found is not None
    generation, _ = found
    assert bucket.upload(NAME, b"second\n", "application/json", if_generation_match=generation) is True

    assert bucket.upload(NAME, b"third\n", "application/json", if_generation_match=generation) is False
    assert bucket.read(NAME) == b"second\n"


def test_metadata_names_the_generation_and_the_md5_of_the_body(bucket: CloudStorageBucket) -> None:
    from {{ cookiecutter.package_name }}.adapters.cloud_storage import md5_of

    assert bucket.stat(NAME) is None
    bucket.upload(NAME, b'{"ggr": 1}\n', "application/json")

    found = bucket.stat(NAME)
    assert found is not None
    assert found[0].isdigit()
    assert found[1] == md5_of(b'{"ggr": 1}\n')


def test_listing_names_only_the_objects_under_the_prefix(bucket: CloudStorageBucket) -> None:
    for name in ("chain/a.jsonl", "chain/b.jsonl", "exports/c.jsonl"):
        bucket.upload(name, b"x\n", "application/x-ndjson")

    assert sorted(bucket.names("chain/")) == ["chain/a.jsonl", "chain/b.jsonl"]
    assert list(bucket.names("none/")) == []


def test_an_object_that_is_not_there_reads_as_none(bucket: CloudStorageBucket) -> None:
    assert bucket.read("missing.json") is None


def test_a_replaced_object_keeps_its_old_generation_in_a_versioned_bucket(
    bucket: CloudStorageBucket, storage_server: StorageServer
) -> None:
    bucket.upload(NAME, b"first\n", "application/json")
    bucket.upload(NAME, b"second\n", "application/json")

    url = f"http://{storage_server.address}/storage/v1/b/{bucket.bucket}/o?versions=true"
    with urllib.request.urlopen(url, timeout=10) as response:
        listed = json.load(response)
    assert [item["name"] for item in listed["items"]] == [NAME, NAME]


@pytest.fixture
def fresh_server() -> Iterator[StorageServer]:
    server = StorageServer().start()
    yield server
    server.stop()


def test_the_server_stops_when_asked_and_lets_its_port_go(fresh_server: StorageServer) -> None:
    from tools.gcp.emulators import listening

    address = fresh_server.address
    assert listening(address)
    fresh_server.stop()

    assert not listening(address)
    assert fresh_server.process is None
