"""Writes the audit trail's records to the write-once archive (S3 Object Lock), one object per message.

The auditTrail worker appends critical events to the hash chain and hands the new records to this
worker's queue (AuditArchiveQueue). Each message becomes one archived object whose key carries its
last record's sequence and hash: an anchor of the chain that verifyAuditTrail checks. A redelivered
message writes the same key again, a new locked version with the same records, which changes
nothing. A message that is not a batch of sealed records (each record's content gives its hash)
fails alone and, after three receives, moves to the dead-letter queue, which raises an alarm: the
archive never anchors a record that does not match itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.audit import AuditRecord
from ..observability import add_metric, bind_invocation, flush_metrics
from ..workers.audit import archived_records
from .sqs import BatchResponse, MalformedEvent, process_records

if TYPE_CHECKING:
    from ..ports import AuditArchive

_archive: AuditArchive | None = None


def handler(event: dict[str, Any], context: object) -> BatchResponse:
    """Lambda entry point (partial batch responses: functionResponseType ReportBatchItemFailures)."""
    bind_invocation(context)
    try:
        return process_batch(event, aws_audit_archive())
    finally:
        flush_metrics()


def process_batch(event: dict[str, Any], archive: AuditArchive) -> BatchResponse:
    """Archive every message of the batch as one object; return the message ids that failed."""

    def archive_message(record: dict[str, Any]) -> dict[str, int]:
        records = parse(record)
        archive.store(records)
        add_metric("AuditRecordsArchived", len(records))
        return {"first": records[0].sequence, "last": records[-1].sequence}

    return process_records(event.get("Records", []), archive_message, "audit records archived")


def parse(record: dict[str, Any]) -> list[AuditRecord]:
    """The audit records of one message, ordered by sequence; MalformedEvent if it holds anything else."""
    try:
        body = record["body"]
    except (KeyError, TypeError) as error:
        raise MalformedEvent("the message is not a batch of audit records") from error
    return archived_records(body)


def aws_audit_archive() -> AuditArchive:
    """The archive on AWS, built on the first invocation and reused while the container lives."""
    global _archive  # one client per container
    if _archive is None:
        from ..adapters.s3 import S3AuditArchive
        from ..settings_audit import AuditArchiveSettings

        _archive = S3AuditArchive(AuditArchiveSettings.from_env().audit_archive_bucket)
    return _archive
