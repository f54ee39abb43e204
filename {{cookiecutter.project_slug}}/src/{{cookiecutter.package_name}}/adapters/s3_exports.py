"""S3 adapter of the export sink: one newline-delimited JSON object per key, streamed in parts.

Lines are buffered up to PART_SIZE; an export that stays smaller is one PutObject, a larger one a
multipart upload, so the function holds one part in memory whatever the size of the day. The object
appears only when the upload completes: a run that fails midway aborts the upload and leaves the
object that was there before. The bucket encrypts with the stack's key by default (SSE-KMS) and
keeps replaced versions for a while (serverless.yml, LedgerExportBucket).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .aws_clients import LazyClient

# S3's smallest part (but the last) is 5 MiB; 8 MiB keeps the part count of a 10 GB export in bounds.
PART_SIZE = 8 * 1024 * 1024
CONTENT_TYPE = "application/x-ndjson"
# Every object and part carries a SHA-256 that S3 verifies on arrival: an export is stored as sent.
CHECKSUM = "SHA256"


class S3ExportSink:
    """Writes exports to one bucket."""

    def __init__(self, bucket: str, client: Any | None = None, part_size: int = PART_SIZE) -> None:
        self.bucket = bucket
        self.part_size = part_size
        self._client = LazyClient("s3", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def write(self, key: str, lines: Iterator[str]) -> int:
        buffer = bytearray()
        size = 0
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            for line in lines:
                encoded = line.encode() + b"\n"
                buffer += encoded
                size += len(encoded)
                if len(buffer) >= self.part_size:
                    if upload_id is None:
                        upload_id = self._start(key)
                    parts.append(self._upload_part(key, upload_id, len(parts) + 1, bytes(buffer)))
                    buffer.clear()
            if upload_id is None:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=bytes(buffer),
                    ContentType=CONTENT_TYPE,
                    ChecksumAlgorithm=CHECKSUM,
                )
                return size
            if buffer:
                parts.append(self._upload_part(key, upload_id, len(parts) + 1, bytes(buffer)))
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            if upload_id is not None:
                # Parts of an unfinished upload are billed until aborted (the bucket's lifecycle also
                # aborts them after a day, should this call fail too).
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        return size

    def _start(self, key: str) -> str:
        upload_id: str = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=CONTENT_TYPE, ChecksumAlgorithm=CHECKSUM
        )["UploadId"]
        return upload_id

    def _upload_part(self, key: str, upload_id: str, number: int, body: bytes) -> dict[str, Any]:
        response = self.client.upload_part(
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            Body=body,
            ChecksumAlgorithm=CHECKSUM,
        )
        return {"PartNumber": number, "ETag": response["ETag"], "ChecksumSHA256": response["ChecksumSHA256"]}
