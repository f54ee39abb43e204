"""Walks the audit trail's hash chain on a schedule; a break fails the run and raises an alarm.

Every record is checked against the one before it and against its own content, the chain against
its head, and the chain against every anchor in the write-once archive. The run publishes
AuditRecordsVerified and AuditChainBreaks (0 or 1); the AuditChainBroken alarm and the function's
error alarm tell the alert topic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.audit import AuditTrail, Verification
from ..observability import add_metric, bind_invocation, flush_metrics, get_logger

if TYPE_CHECKING:
    from ..ports import AuditArchive

# The trail and its archive, built on the first run and reused while the container lives.
_checked: tuple[AuditTrail, AuditArchive] | None = None


class AuditChainBroken(RuntimeError):
    """The chain does not verify: a record was changed, removed, reordered or rewritten."""


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point (EventBridge schedule)."""
    bind_invocation(context)
    try:
        return run(*aws_trail_and_archive())
    finally:
        flush_metrics()


def aws_trail_and_archive() -> tuple[AuditTrail, AuditArchive]:
    """The chain in DynamoDB and its write-once archive in S3 (read only: this job appends nothing)."""
    global _checked
    if _checked is None:
        from ..adapters.dynamodb_audit import DynamoAuditLog
        from ..adapters.s3 import S3AuditArchive
        from ..settings import SystemClock
        from ..settings_audit import AuditArchiveSettings, AuditSettings

        log = DynamoAuditLog(AuditSettings.from_env().audit_table_name)
        archive = S3AuditArchive(AuditArchiveSettings.from_env().audit_archive_bucket)
        _checked = (AuditTrail(log, archive, SystemClock()), archive)
    return _checked


def run(trail: AuditTrail, archive: AuditArchive) -> dict[str, Any]:
    """Verify the chain; raise AuditChainBroken (after the metrics are added) if it is broken."""
    verification = trail.verify(archive)
    add_metric("AuditRecordsVerified", verification.records)
    add_metric("AuditChainBreaks", 0 if verification.intact else 1)
    summary = _summary(verification)
    if verification.broken is not None:
        get_logger().error("audit chain broken", extra=summary)
        raise AuditChainBroken(
            f"record {verification.broken.sequence}: {verification.broken.reason}; see docs/compliance.md"
        )
    get_logger().info("audit chain verified", extra=summary)
    return summary


def _summary(verification: Verification) -> dict[str, Any]:
    broken = verification.broken
    return {
        "records": verification.records,
        "anchors": verification.anchors,
        "intact": verification.intact,
        "broken_at": None if broken is None else broken.sequence,
        "reason": None if broken is None else broken.reason,
    }
