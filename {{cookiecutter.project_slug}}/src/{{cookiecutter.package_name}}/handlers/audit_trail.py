"""Appends critical events to the hash-chained audit trail and hands them to the write-once archive.

SQS delivers the events the AuditTrailRule routes here (an EventBridge event in each message body).
The valid events of a batch are appended in order, each once per event id, so a redelivered message
adds nothing (its records are handed to the archive again, which changes nothing either). The
appended records go to the archive's queue (AuditArchiveQueue), which the auditArchive worker writes
to S3 Object Lock: this worker never writes the archive, and the archiver never writes the chain. A
message that is not an EventBridge event is reported in batchItemFailures: SQS retries only it, then
moves it to the dead-letter queue. If the append or the hand-over fails, every record of the batch
is reported and retried: the chain is never left with records that are not on their way to the
archive.
"""

from __future__ import annotations

import json
from typing import Any

from ..domain.audit import AuditEvent, AuditTrail
from ..observability import (
    add_metric,
    bind_invocation,
    flush_metrics,
    get_logger,
    set_correlation_id,
)
from ..settings import PACKAGE
from ..workers.audit import audit_event
from .sqs import BatchResponse, MalformedEvent, batch_response, message_id

_trail: AuditTrail | None = None


def handler(event: dict[str, Any], context: object) -> BatchResponse:
    """Lambda entry point (partial batch responses: functionResponseType ReportBatchItemFailures)."""
    bind_invocation(context)
    try:
        return process_batch(event, aws_audit_trail())
    finally:
        flush_metrics()


def process_batch(event: dict[str, Any], trail: AuditTrail, source_prefix: str = PACKAGE) -> BatchResponse:
    """Record every critical event of the batch; return the message ids that failed."""
    records = event.get("Records", [])
    failed: set[str] = set()
    to_record: list[tuple[str, AuditEvent]] = []
    for record in records:
        try:
            audit_event = parse(record, source_prefix)
        except MalformedEvent:
            set_correlation_id(None)
            get_logger().exception("audit record is not an event", extra={"message_id": message_id(record)})
            failed.add(message_id(record))
            continue
        set_correlation_id(audit_event.correlation_id if audit_event else None)
        if audit_event is None:
            get_logger().warning(
                "audit record ignored: not a critical event", extra={"message_id": message_id(record)}
            )
        else:
            to_record.append((message_id(record), audit_event))
    if to_record:
        set_correlation_id(None)
        try:
            result = trail.record([audit_event for _, audit_event in to_record])
        except Exception:  # the whole append is retried: nothing of it is acknowledged
            get_logger().exception("audit append failed", extra={"events": len(to_record)})
            failed.update(message for message, _ in to_record)
        else:
            add_metric("AuditRecordsAppended", len(result.appended))
            get_logger().info(
                "audit records appended",
                extra={
                    "appended": len(result.appended),
                    "already_recorded": len(result.already_recorded),
                    "last_sequence": result.appended[-1].sequence if result.appended else None,
                },
            )
    return batch_response(records, failed)


def parse(record: dict[str, Any], source_prefix: str = PACKAGE) -> AuditEvent | None:
    """The critical event in an SQS record, or None if it is not one this trail records."""
    try:
        envelope = json.loads(record["body"])
        name = envelope["detail-type"]
        source = envelope["source"]
        detail = envelope["detail"]
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedEvent("the message body is not an EventBridge event") from error
    return audit_event(
        name,
        source,
        detail,
        event_id=envelope.get("id"),
        time=envelope.get("time"),
        source_prefix=source_prefix,
    )


def aws_audit_trail() -> AuditTrail:
    """The trail on AWS, built on the first invocation and reused while the container lives."""
    global _trail  # one set of clients per container
    if _trail is None:
        from ..adapters.dynamodb_audit import DynamoAuditLog
        from ..adapters.sqs import SqsAuditArchiveQueue
        from ..settings import SystemClock
        from ..settings_audit import AuditArchiveQueueSettings, AuditSettings

        _trail = AuditTrail(
            DynamoAuditLog(AuditSettings.from_env().audit_table_name),
            SqsAuditArchiveQueue(AuditArchiveQueueSettings.from_env().audit_archive_queue_url),
            SystemClock(),
        )
    return _trail
