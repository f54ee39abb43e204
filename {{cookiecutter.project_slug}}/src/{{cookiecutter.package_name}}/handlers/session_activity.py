"""Adds bets and wins to their session's activity.

SQS delivers the wallet's BetPlaced and BetSettled events (an EventBridge event in each message
body). Each event is applied once per event id, so a redelivered message changes nothing. A record
that cannot be processed is reported in batchItemFailures: SQS retries only it, then moves it to
the dead-letter queue, while the rest of the batch is acknowledged.
"""

from __future__ import annotations

from typing import Any

from ..domain.sessions import SessionActivity, SessionService
from ..observability import bind_invocation, flush_metrics
from .sqs import BatchResponse, bus_event, process_records

BET_EVENTS = frozenset({"BetPlaced", "BetSettled"})

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
    event = bus_event(record)
    if event.detail_type not in BET_EVENTS:
        return "ignored: not a bet or a win"
    if event.detail.get("session_id") is None:
        return "ignored: played outside a session"
    session_id = event.text("session_id")
    event_id = event.text("event_id")
    player_id = event.text("player_id")
    amount = event.amount()
    if event.detail_type == "BetPlaced":
        activity = SessionActivity(bets=1, staked=amount)
    else:
        activity = SessionActivity(won=amount)
    applied = service.record_bet_activity(session_id, event_id, activity, player_id=player_id)
    return "applied" if applied else "skipped: already applied or not the player's session"


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
