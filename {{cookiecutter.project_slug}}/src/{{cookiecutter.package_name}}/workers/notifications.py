"""Tells a player about an event, once per event id (the notifications worker, on every cloud)."""

from __future__ import annotations

from ..domain.notifications import NotificationService
from ..observability import add_metric
from .events import BusEvent


def apply_notification(event: BusEvent, service: NotificationService) -> str:
    """Handle one event (a win, a bonus, a limit, a reality check, a self-exclusion); the outcome."""
    event_id = event.text("event_id")
    # An event without a usable correlation id is traced by its own id from here on.
    correlation_id = event.correlation_id or event_id
    delivery = service.handle(
        event.detail_type, event.detail, event_id=event_id, correlation_id=correlation_id
    )
    if delivery.value == "sent":
        add_metric("NotificationsSent")
    return delivery.value
