"""The queue in front of the audit archive on Azure (`audit-auditarchive`, a Storage Queue).

The audit trail app's auditTrail function hands each appended batch of records here, in as few messages
as fit (`{"records": [...]}`, workers/audit.py), and its auditArchive function writes each message to the
write-once container (adapters/blob_audit.py). Apart from storage_queues.py so that no other app's
archive carries the audit trail's code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..workers.audit import archive_message_bodies

if TYPE_CHECKING:
    from azure.storage.queue import QueueClient

    from ..domain.audit import AuditRecord

# A Storage Queue message holds 64 KiB, and Base64 turns 3 bytes into 4: 48 KiB of text, less a margin.
MAX_ARCHIVE_MESSAGE_BYTES = 45 * 1024


class QueueAuditArchive:
    """Sends audit records to the archive's queue (an AuditRecordSink), as few messages as fit."""

    def __init__(self, queue: QueueClient, limit: int = MAX_ARCHIVE_MESSAGE_BYTES) -> None:
        self.queue = queue
        self.limit = limit

    def store(self, records: Sequence[AuditRecord]) -> None:
        for body in archive_message_bodies(records, self.limit):
            self.queue.send_message(body)
