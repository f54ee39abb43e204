"""The auditTrail function: a pushed critical event appended to the hash-chained audit trail.

Each subscription (infra/functions.tf, module "audit_trail") pushes one event at a time; it is recorded
once per event id (a redelivery adds nothing and hands its record to the archive's topic again, which
changes nothing in the write-once archive). A failure of the append or of the hand-over answers 500:
Pub/Sub retries, and the fifth failure sends the message to the dead-letter topic.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..gcp_push import PushedEvent, answer
from ..observability import get_logger, set_correlation_id
from ..workers.audit_trail import audit_event, audited_source

if TYPE_CHECKING:
    from flask import Request

    from ..domain.audit import AuditTrail

_trail: AuditTrail | None = None


def audit_trail(request: Request) -> tuple[str, int]:
    """The auditTrail function (functions-framework, signature type http): one Pub/Sub push."""
    return answer(request.get_json(silent=True), record)


def record(event: PushedEvent, trail: AuditTrail | None = None) -> None:
    """Append the pushed event if it is a critical one; raise (to be retried) if the append fails."""
    source = audited_source(event.name)
    audited = (
        None if source is None else audit_event(event.name, source, event.detail, message_id=event.message_id)
    )
    set_correlation_id(event.correlation_id)
    try:
        if audited is None:
            get_logger().warning(
                "audit push ignored: not a critical event", extra={"message_id": event.message_id}
            )
            return
        result = (trail or gcp_audit_trail()).record([audited])
        get_logger().info(
            "audit records appended",
            extra={"appended": len(result.appended), "already_recorded": len(result.already_recorded)},
        )
    finally:
        set_correlation_id(None)


def gcp_audit_trail() -> AuditTrail:
    """The trail on GCP, built on the first push and reused while the instance lives."""
    global _trail  # one set of clients per instance
    if _trail is None:
        from ..adapters.firestore_audit import FirestoreAuditLog
        from ..adapters.gcp_clients import database, firestore_client
        from ..adapters.pubsub import PubSubAuditArchiveQueue
        from ..domain.audit import AuditTrail
        from ..settings import SystemClock, required_variable

        _trail = AuditTrail(
            FirestoreAuditLog(database(), firestore_client()),
            PubSubAuditArchiveQueue(required_variable(os.environ, "AUDIT_ARCHIVE_TOPIC")),
            SystemClock(),
        )
    return _trail
