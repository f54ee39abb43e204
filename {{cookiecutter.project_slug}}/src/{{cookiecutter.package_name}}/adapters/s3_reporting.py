"""S3 adapter of the reporting module: report files in the analytics bucket.

The bucket (templates/aws/reporting.yml, AnalyticsBucket) is KMS-encrypted with the stack's key,
versioned and kept for the jurisdiction's retention. Each object carries the SHA-256 of its bytes in
its metadata: a re-run that produces the same bytes finds it there and writes nothing, so the object
(and its version) stays the one first written.
"""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from ..domain.reporting import DailyGgrReport, ReportFile
from .aws_clients import LazyClient

DIGEST_METADATA = "sha256"


class S3ReportWriter:
    """Writes each report file to s3://<bucket>/<key>, unless the same bytes are already there."""

    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = bucket
        self._client = LazyClient("s3", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def write(self, report: DailyGgrReport) -> tuple[str, ...]:
        for file in report.files():
            digest = hashlib.sha256(file.body).hexdigest()
            if self._stored_digest(file) != digest:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=file.key,
                    Body=file.body,
                    ContentType=file.content_type,
                    Metadata={DIGEST_METADATA: digest},
                    ChecksumAlgorithm="SHA256",  # S3 verifies the bytes it received
                )
        return tuple(f"s3://{self.bucket}/{file.key}" for file in report.files())

    def _stored_digest(self, file: ReportFile) -> str | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=file.key)
        except ClientError as error:
            # 404 needs s3:ListBucket on the reports prefix (without it S3 answers 403, never absent).
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        digest: str | None = head.get("Metadata", {}).get(DIGEST_METADATA)
        return digest
