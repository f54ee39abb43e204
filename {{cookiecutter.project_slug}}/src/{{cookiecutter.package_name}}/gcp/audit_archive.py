"""The auditArchive function: a pushed batch of audit records written to the write-once archive.

The auditTrail function hands each appended batch to the archive's topic (adapters/pubsub.py,
PubSubAuditArchiveQueue: `{"records": [...]}`); its push subscription (infra/functions.tf) brings it
here, and it becomes one object of the archive bucket (adapters/cloud_storage.py), named by its last
record's sequence and hash: an anchor verifyAuditTrail checks. A redelivery finds the object there and
changes nothing. The answer acknowledges (gcp_push.py's): 204 archived; 400 a message that is not a
batch of sealed records (each record's content gives its hash: the archive never anchors one that does
not match itself); 500 a failure. Pub/Sub retries both and dead-letters the fifth attempt.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from ..gcp_push import ACKNOWLEDGED, NOT_AN_EVENT
from ..observability import add_metric, flush_metrics, get_logger
from ..worker_events import MalformedEvent
from ..workers.audit import archived_records

if TYPE_CHECKING:
    from flask import Request

    from ..ports import AuditArchive

_archive: AuditArchive | None = None


def audit_archive(request: Request) -> tuple[str, int]:
    """The auditArchive function (functions-framework, signature type http): one Pub/Sub push."""
    return archive_push(request.get_json(silent=True), gcp_audit_archive)


def archive_push(body: Any, archive: Any) -> tuple[str, int]:
    """Archive the pushed batch as one object; the HTTP answer that acks it or has it retried.

    `archive`: a function giving the archive (built on first use, so a refused message builds nothing).
    """
    try:
        message = body["message"]
        records = archived_records(base64.b64decode(str(message.get("data", "")), validate=True))
    except (KeyError, TypeError, AttributeError, binascii.Error, MalformedEvent) as error:
        get_logger().warning("archive push refused", extra={"error": str(error)})
        return f"not a batch of audit records: {error}", NOT_AN_EVENT
    try:
        archive().store(records)
        add_metric("AuditRecordsArchived", len(records))
        get_logger().info(
            "audit records archived",
            extra={
                "first": records[0].sequence,
                "last": records[-1].sequence,
                "message_id": message.get("messageId"),
            },
        )
    finally:
        flush_metrics()
    return "", ACKNOWLEDGED


def gcp_audit_archive() -> AuditArchive:
    """The archive on GCP, built on the first push and reused while the instance lives."""
    global _archive  # one session per instance
    if _archive is None:
        from ..adapters.cloud_storage import CloudStorageAuditArchive, CloudStorageBucket
        from ..settings_audit import AuditArchiveSettings

        _archive = CloudStorageAuditArchive(
            CloudStorageBucket(AuditArchiveSettings.from_env().audit_archive_bucket)
        )
    return _archive
