"""SQS adapter: the queue in front of the audit archive (AuditArchiveQueue).

The auditTrail worker appends records to the hash chain and hands them here; the auditArchive worker
writes each message to the write-once archive (adapters/s3.py). A message holds consecutive-by-sequence
records as JSON: {"records": [<AuditRecord.to_json()>, ...]}, split so that none passes SQS's size
limit. Once SendMessage returns, SQS holds the message durably (encrypted with the stack's key) until
the archive has it, or moves it to the dead-letter queue after three failed tries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..domain.audit import AuditRecord
from ..workers.audit import archive_message_bodies
from .aws_clients import LazyClient

# SQS accepts 256 KiB per message; records are a few hundred bytes, so this leaves ample room.
MAX_MESSAGE_BYTES = 200 * 1024


class SqsAuditArchiveQueue:
    """Sends audit records to the archive's queue, in as few messages as fit."""

    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self.queue_url = queue_url
        self._client = LazyClient("sqs", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def store(self, records: Sequence[AuditRecord]) -> None:
        for body in message_bodies(records):
            self.client.send_message(QueueUrl=self.queue_url, MessageBody=body)


def message_bodies(records: Sequence[AuditRecord], limit: int = MAX_MESSAGE_BYTES) -> Iterator[str]:
    """The records as message bodies of at most `limit` bytes each (one record always fits)."""
    return archive_message_bodies(records, limit)


class SqsMessages:
    """Sends message bodies to one queue (the wallet outbox's dead-letter queue)."""

    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self.queue_url = queue_url
        self._client = LazyClient("sqs", client)

    def send(self, body: str) -> None:
        self._client.get().send_message(QueueUrl=self.queue_url, MessageBody=body)
