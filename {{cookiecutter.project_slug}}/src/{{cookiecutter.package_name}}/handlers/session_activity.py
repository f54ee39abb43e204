"""Adds bets and wins to their session's activity.

SQS delivers the wallet's BetPlaced and BetSettled events (an EventBridge event in each message
body). Each event is applied once per event id, so a redelivered message changes nothing. A record
that cannot be processed is reported in batchItemFailures: SQS retries only it, then moves it to
the dead-letter queue, while the rest of the batch is acknowledged.
"""

from __future__ import annotations

from typing import Any

from ..domain.sessions import SessionService
from ..observability import bind_invocation, flush_metrics
from ..workers.session_activity import BET_EVENTS as BET_EVENTS
from ..workers.session_activity import apply_session_activity
from .sqs import BatchResponse, bus_event, process_records

_service: SessionService | None = None


def handler(event: dict[str, Any], context: object) -> BatchResponse:
    """Lambda entry point (partial batch responses: functionResponseType ReportBatchItemFailures)."""
    bind_invocation(context)
    try:
        return process_batch(event, _session_service())
    finally:
        flush_metrics()


def process_batch(event: dict[str, Any], service: SessionService) -> BatchResponse:
    """Apply every record; return the message ids of those that failed."""
    records = event.get("Records", [])
    return process_records(records, lambda record: _apply(record, service), "session activity record")


def _apply(record: dict[str, Any], service: SessionService) -> str:
    return apply_session_activity(bus_event(record), service)


def _session_service() -> SessionService:
    """The service on AWS, built on the first invocation and reused while the container lives."""
    global _service  # one set of clients per container
    if _service is None:
        from ..adapters.dynamodb_sessions import DynamoSessionStore
        from ..adapters.eventbridge import EventBridgePublisher
        from ..settings import Settings, SystemClock

        settings = Settings.from_env()
        _service = SessionService(
            DynamoSessionStore(settings.sessions_table_name),
            EventBridgePublisher(settings.event_bus_name),
            SystemClock(),
            f"{settings.event_source}.sessions",
        )
    return _service
