"""S3 adapter: the audit archive, one write-once object per appended batch of records.

The bucket has Object Lock in COMPLIANCE mode with a default retention (serverless.yml,
AuditArchiveBucket): every object version written here can be neither changed nor deleted, by anyone,
until the jurisdiction's retention has passed. Object keys carry the batch's last sequence and hash,
so listing the bucket gives every anchor of the chain without reading an object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..domain.audit import Anchor, AuditRecord
from .aws_clients import LazyClient

PREFIX = "chain/"
_KEY_RE = re.compile(r"chain/(\d{20})-(\d{20})-([0-9a-f]{64})\.jsonl")


class S3AuditArchive:
    """Audit records as JSON Lines objects: chain/<first>-<last>-<last hash>.jsonl."""

    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = bucket
        self._client = LazyClient("s3", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def store(self, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        first, last = records[0], records[-1]
        body = "".join(json.dumps(record.to_json(), sort_keys=True) + "\n" for record in records)
        # Object Lock needs an integrity checksum on every write; SHA-256 also seals the bytes stored.
        self.client.put_object(
            Bucket=self.bucket,
            Key=f"{PREFIX}{first.sequence:020d}-{last.sequence:020d}-{last.hash}.jsonl",
            Body=body.encode(),
            ContentType="application/x-ndjson",
            ChecksumAlgorithm="SHA256",
        )

    def anchors(self) -> Iterator[Anchor]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=PREFIX)
        for page in pages:
            for item in page.get("Contents", []):
                match = _KEY_RE.fullmatch(item["Key"])
                if match:
                    yield Anchor(int(match.group(2)), match.group(3))

    def records(self, key: str) -> list[AuditRecord]:
        """The records of one archived object (for an investigation, or a rebuild of the chain)."""
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode()
        return [AuditRecord.from_json(json.loads(line)) for line in body.splitlines() if line]
