"""Walks the audit trail's hash chain on a schedule; a break fails the run and raises an alarm.

Every record is checked against the one before it and against its own content, the chain against
its head, and the chain against every anchor in the write-once archive. The run publishes
AuditRecordsVerified and AuditChainBreaks (0 or 1); the AuditChainBroken alarm and the function's
error alarm tell the alert topic.
"""

from __future__ import annotations

from typing import Any

from ..domain.audit import AuditTrail, Verification
from ..observability import add_metric, bind_invocation, flush_metrics, get_logger


class AuditChainBroken(RuntimeError):
    """The chain does not verify: a record was changed, removed, reordered or rewritten."""


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point (EventBridge schedule)."""
    from .audit_trail import aws_audit_trail

    bind_invocation(context)
    try:
        return run(aws_audit_trail())
    finally:
        flush_metrics()


def run(trail: AuditTrail) -> dict[str, Any]:
    """Verify the chain; raise AuditChainBroken (after the metrics are added) if it is broken."""
    verification = trail.verify()
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
