"""The critical event a delivered message carries: the audit trail worker's step on every cloud."""

from __future__ import annotations

from typing import Any

from ..compliance import AUDITED_EVENTS
from ..domain.audit import AuditEvent
from ..observability import valid_correlation_id
from ..settings import PACKAGE
from ..worker_events import MalformedEvent

# Keys of a published event's detail that describe the event rather than what happened.
ENVELOPE_KEYS = frozenset({"event_id", "correlation_id", "occurred_at"})


def audit_event(
    name: str,
    source: str,
    detail: dict[str, Any],
    *,
    source_prefix: str = PACKAGE,
    message_id: str | None = None,
    sent_at: str | None = None,
) -> AuditEvent | None:
    """The critical event `name` from `source`, or None if it is not one this trail records.

    `message_id` and `sent_at` (the carrier's own id and time) stand in for an event id and a time the
    detail lacks.
    """
    if (source.removeprefix(f"{source_prefix}."), name) not in AUDITED_EVENTS:
        return None
    event_id = detail.get("event_id") or message_id
    if not isinstance(event_id, str) or not event_id:
        raise MalformedEvent("the event has no event id")
    return AuditEvent(
        event_id=event_id,
        name=name,
        source=source,
        occurred_at=str(detail.get("occurred_at") or sent_at or ""),
        correlation_id=valid_correlation_id(detail.get("correlation_id")) or event_id,
        detail={key: value for key, value in detail.items() if key not in ENVELOPE_KEYS},
    )


def audited_source(name: str, source_prefix: str = PACKAGE) -> str | None:
    """The full source of the critical event `name` (each name has one), for a carrier that names only
    the event's topic (Pub/Sub's `core` topic carries the API's and the deployment's events)."""
    sources = {source for source, audited in AUDITED_EVENTS if audited == name}
    return f"{source_prefix}.{sources.pop()}" if len(sources) == 1 else None
