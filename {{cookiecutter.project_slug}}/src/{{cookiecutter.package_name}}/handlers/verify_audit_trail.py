"""Walks the audit trail's hash chain on a schedule; a break fails the run and raises an alarm.

Every record is checked against the one before it and against its own content, the chain against
its head, and the chain against every anchor in the write-once archive. The run publishes
AuditRecordsVerified and AuditChainBreaks (0 or 1); the AuditChainBroken alarm and the function's
error alarm tell the alert topic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.audit import AuditTrail
from ..observability import bind_invocation, flush_metrics

# The verification is the same on every cloud (workers/audit.py); AuditChainBroken importable from here too.
from ..workers.audit import AuditChainBroken as AuditChainBroken
from ..workers.audit import verify_chain

if TYPE_CHECKING:
    from ..ports import AuditArchive

# The trail and its archive, built on the first run and reused while the container lives.
_checked: tuple[AuditTrail, AuditArchive] | None = None


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
    return verify_chain(trail, archive)
