"""Cloud Storage adapters (GCP): the audit trail's write-once archive and the ledger exports' bucket.

Over Cloud Storage's JSON API with the function's own credentials (google-auth's AuthorizedSession, as
secret_manager.py does): google-cloud-storage is not in the runtime lock, and no client library is
loaded on a cold start. Each write is ONE multipart upload whose metadata carries the body's MD5
(`md5Hash`): Cloud Storage refuses a body that does not match it, so a torn upload stores nothing.

- The audit archive (`CloudStorageAuditArchive`): one object per appended batch of records,
  chain/<first>-<last>-<last hash>.jsonl (the S3 and Blob archives' names), written with
  `ifGenerationMatch=0`: only if no object has the name. A retried batch finds its object there (412)
  and changes nothing: the name carries the last hash, which seals the records before it. The bucket's
  retention policy (infra/main.tf, locked for the stages of `archive_lock_stages`) keeps every object
  for the jurisdiction's retention, and the archive function may only create objects
  (roles/storage.objectCreator). Anchors are one listing request per 1,000 objects, names only.
- The exports (`CloudStorageExportSink`): one object per key, replaced whole by a rerun (the bucket's
  versioning keeps the replaced one). The lines are read whole before the upload, so a failing scan
  stores nothing and the object that was there stays.

A local run (`make dev`, tools/gcp/dev.py) has no Cloud Storage: it serves the JSON API on fake-gcs-server
(tools/gcp/emulators.py) and names it in STORAGE_EMULATOR_HOST, which `CloudStorageBucket` honours only
beside FIRESTORE_EMULATOR_HOST (as adapters/secret_manager.py does its local secrets): a deployed function
has neither (the audit's no-local-run-variables control), so it always talks to Cloud Storage.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from ..domain.audit import Anchor, AuditRecord

ENDPOINT = "https://storage.googleapis.com/storage/v1"
UPLOAD_ENDPOINT = "https://storage.googleapis.com/upload/storage/v1"
TIMEOUT_SECONDS = 30.0
# The archive's object names (as adapters/s3.py and blob_audit.py name them).
PREFIX = "chain/"
_NAME_RE = re.compile(r"chain/(\d{20})-(\d{20})-([0-9a-f]{64})\.jsonl")
# Cloud Storage's answer to a write conditioned on ifGenerationMatch=0 when the object exists.
PRECONDITION_FAILED = 412
NOT_FOUND = 404
# The generation a write conditioned on "no object of this name" names.
ABSENT = "0"
# A local run's Cloud Storage server (host:port), honoured only beside the local Firestore emulator.
LOCAL_SERVER_VARIABLE = "STORAGE_EMULATOR_HOST"
LOCAL_RUN_VARIABLE = "FIRESTORE_EMULATOR_HOST"


class StorageRequestFailed(RuntimeError):
    """Cloud Storage refused a request: its status and message, and what to check."""


def authorized_session() -> Any:
    """An HTTP session signed with the function's credentials (its service account on Cloud Run)."""
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/devstorage.read_write"])
    return AuthorizedSession(credentials)


def local_storage_host(environ: Mapping[str, str]) -> str | None:
    """A local run's Cloud Storage server as a base URL, or None: STORAGE_EMULATOR_HOST counts only
    beside FIRESTORE_EMULATOR_HOST."""
    host = environ.get(LOCAL_SERVER_VARIABLE, "")
    if not host or not environ.get(LOCAL_RUN_VARIABLE):
        return None
    return host.rstrip("/") if "://" in host else f"http://{host}"


def unauthenticated_session() -> Any:
    """A plain HTTP session: the local server takes no credentials, and a local run has none."""
    import requests

    return requests.Session()


class CloudStorageBucket:
    """One bucket's objects over the JSON API: upload (optionally only if absent), list names, read."""

    def __init__(
        self,
        bucket: str,
        session: Callable[[], Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("the bucket's name is empty; set the function's bucket variable (infra/)")
        self.bucket = bucket
        local = local_storage_host(os.environ if environ is None else environ)
        self.endpoint = ENDPOINT if local is None else f"{local}/storage/v1"
        self.upload_endpoint = UPLOAD_ENDPOINT if local is None else f"{local}/upload/storage/v1"
        self._new_session = session or (None if local is None else unauthenticated_session)
        self._session: Any | None = None
        self._lock = threading.Lock()

    @property
    def session(self) -> Any:
        with self._lock:
            if self._session is None:
                self._session = (self._new_session or authorized_session)()
            return self._session

    def upload(
        self, name: str, body: bytes, content_type: str, *, if_generation_match: str | None = None
    ) -> bool:
        """Store `body` as the object `name`; with `if_generation_match`, only if the object is still at that
        generation ("0": only if there is none): False, and nothing written, if it is not."""
        boundary = f"casino-{uuid.uuid4().hex}"
        metadata = {
            "name": name,
            "contentType": content_type,
            "md5Hash": md5_of(body),
        }
        payload = b"".join(
            [
                f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".encode(),
                json.dumps(metadata).encode(),
                f"\r\n--{boundary}\r\nContent-Type: {content_type}\r\n\r\n".encode(),
                body,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        params = {"uploadType": "multipart"}
        if if_generation_match is not None:
            params["ifGenerationMatch"] = if_generation_match
        response = self.session.post(
            f"{self.upload_endpoint}/b/{quote(self.bucket, safe='')}/o",
            params=params,
            data=payload,
            headers={"Content-Type": f"multipart/related; boundary={boundary}"},
            timeout=TIMEOUT_SECONDS,
        )
        if if_generation_match is not None and response.status_code == PRECONDITION_FAILED:
            return False
        _check(response, f"writing gs://{self.bucket}/{name}")
        return True

    def names(self, prefix: str) -> Iterator[str]:
        """The names of the objects under `prefix`, page by page (names only)."""
        params = {"prefix": prefix, "fields": "items(name),nextPageToken"}
        while True:
            response = self.session.get(
                f"{self.endpoint}/b/{quote(self.bucket, safe='')}/o", params=params, timeout=TIMEOUT_SECONDS
            )
            _check(response, f"listing gs://{self.bucket}/{prefix}")
            page = response.json()
            for item in page.get("items", []):
                yield item["name"]
            token = page.get("nextPageToken")
            if not token:
                return
            params = {**params, "pageToken": token}

    def stat(self, name: str) -> tuple[str, str] | None:
        """The object's generation and MD5 (base64), None if there is none."""
        response = self.session.get(
            f"{self.endpoint}/b/{quote(self.bucket, safe='')}/o/{quote(name, safe='')}",
            params={"fields": "generation,md5Hash"},
            timeout=TIMEOUT_SECONDS,
        )
        if response.status_code == NOT_FOUND:
            return None
        _check(response, f"reading gs://{self.bucket}/{name}'s metadata")
        found = response.json()
        return str(found["generation"]), str(found.get("md5Hash", ""))

    def read(self, name: str) -> bytes | None:
        """The object's content, None if there is none."""
        response = self.session.get(
            f"{self.endpoint}/b/{quote(self.bucket, safe='')}/o/{quote(name, safe='')}",
            params={"alt": "media"},
            timeout=TIMEOUT_SECONDS,
        )
        if response.status_code == NOT_FOUND:
            return None
        _check(response, f"reading gs://{self.bucket}/{name}")
        content: bytes = response.content
        return content


class CloudStorageAuditArchive:
    """Audit records as JSON Lines objects: chain/<first>-<last>-<last hash>.jsonl, never overwritten."""

    def __init__(self, bucket: CloudStorageBucket) -> None:
        self.bucket = bucket

    def store(self, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        first, last = records[0], records[-1]
        body = "".join(json.dumps(record.to_json(), sort_keys=True) + "\n" for record in records)
        # False: archived already (a retried batch); the object there holds these very records.
        self.bucket.upload(
            f"{PREFIX}{first.sequence:020d}-{last.sequence:020d}-{last.hash}.jsonl",
            body.encode(),
            "application/x-ndjson",
            if_generation_match=ABSENT,
        )

    def anchors(self) -> Iterator[Anchor]:
        for name in self.bucket.names(PREFIX):
            match = _NAME_RE.fullmatch(name)
            if match:
                yield Anchor(int(match.group(2)), match.group(3))

    def records(self, name: str) -> list[AuditRecord]:
        """The records of one archived object (for an investigation, or a rebuild of the chain)."""
        body = self.bucket.read(name)
        if body is None:
            raise KeyError(f"no archived object {name}")
        return [AuditRecord.from_json(json.loads(line)) for line in body.decode().splitlines() if line]


class CloudStorageExportSink:
    """Exports as objects of the exports bucket, each replaced whole by a new write."""

    def __init__(self, bucket: CloudStorageBucket) -> None:
        self.bucket = bucket

    def write(self, key: str, lines: Iterator[str]) -> int:
        # Everything is read before anything is sent: a failing iterator leaves the old object.
        body = "".join(line + "\n" for line in lines).encode()
        self.bucket.upload(key, body, "application/x-ndjson")
        return len(body)


def md5_of(body: bytes) -> str:
    """The body's MD5 as Cloud Storage writes it (base64): the upload's check, and a stored object's."""
    return base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()


def _check(response: Any, doing: str) -> None:
    if 200 <= response.status_code < 300:
        return
    try:
        message = response.json()["error"]["message"]
    except (KeyError, TypeError, ValueError):
        message = response.text[:200]
    hint = (
        "check the function's role on the bucket (infra/)"
        if response.status_code in (401, 403)
        else "Cloud Storage's answer"
    )
    raise StorageRequestFailed(f"{doing}: {response.status_code} {message} ({hint})")
