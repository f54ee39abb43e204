"""Tells players about bonuses, big wins, limits, reality checks and self-exclusions.

SQS delivers the events its EventBridge rule routes here (an EventBridge event in each message body):
wallet BetSettled and BonusGranted, responsible_gaming LimitReached and SelfExclusionStarted, sessions
RealityCheckDue, each only while its module is part of the stack. Each event is delivered once per
event id (domain/notifications.py), so a redelivered message tells the player nothing new. A record
that cannot be processed is reported in batchItemFailures: SQS retries only it, then moves it to the
dead-letter queue, while the rest of the batch is acknowledged.
"""

from __future__ import annotations

from typing import Any

from ..domain.notifications import NotificationService
from ..observability import bind_invocation, flush_metrics
from ..workers.notifications import apply_notification
from .sqs import BatchResponse, bus_event, process_records

_service: NotificationService | None = None


def handler(event: dict[str, Any], context: object) -> BatchResponse:
    """Lambda entry point (partial batch responses: functionResponseType ReportBatchItemFailures)."""
    bind_invocation(context)
    try:
        return process_batch(event, _notification_service())
    finally:
        flush_metrics()


def process_batch(event: dict[str, Any], service: NotificationService) -> BatchResponse:
    """Handle every record; return the message ids of those that failed."""
    records = event.get("Records", [])
    return process_records(records, lambda record: _apply(record, service), "notification record")


def _apply(record: dict[str, Any], service: NotificationService) -> str:
    return apply_notification(bus_event(record), service)


def _notification_service() -> NotificationService:
    """The service on AWS, built on the first invocation and reused while the container lives."""
    global _service  # one set of clients per container
    if _service is None:
        from ..adapters.channels import channel_for
        from ..adapters.dynamodb_notifications import DynamoNotificationStore
        from ..adapters.eventbridge import EventBridgePublisher
        from ..settings import Settings, SystemClock
        from ..settings_notifications import NotificationSettings

        settings = Settings.from_env()
        notification_settings = NotificationSettings.from_env()
        store = DynamoNotificationStore(notification_settings.notifications_table_name)
        _service = NotificationService(
            store,
            channel_for(notification_settings, store),
            EventBridgePublisher(settings.event_bus_name),
            SystemClock(),
            f"{settings.event_source}.notifications",
            big_win_threshold=notification_settings.big_win_threshold,
            marketing_default=notification_settings.marketing_default,
        )
    return _service
