"""Adds bets and wins to their session's activity.

SQS delivers the wallet's BetPlaced and BetSettled events (an EventBridge event in each message
body). Each event is applied once per event id, so a redelivered message changes nothing. A record
that cannot be processed is reported in batchItemFailures: SQS retries only it, then moves it to
the dead-letter queue, while the rest of the batch is acknowledged.
"""

from __future__ import annotations

import json
from typing import Any

from ..domain.sessions import SessionActivity, SessionService
from ..observability import (
    bind_invocation,
    flush_metrics,
    get_logger,
    set_correlation_id,
    valid_correlation_id,
)
from .sqs import BatchResponse, batch_response, message_id

BET_EVENTS = frozenset({"BetPlaced", "BetSettled"})

_service: SessionService | None = None


class MalformedEvent(ValueError):
    """The message is not a wallet event this worker understands."""


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
    failed: set[str] = set()
    for record in records:
        set_correlation_id(_correlation_id(record))
        try:
            outcome = _apply(record, service)
        except Exception:  # one bad record must not fail (and replay) the whole batch
            get_logger().exception("session activity record failed", extra={"message_id": message_id(record)})
            failed.add(message_id(record))
        else:
            get_logger().info(
                "session activity record", extra={"message_id": message_id(record), "outcome": outcome}
            )
    set_correlation_id(None)
    return batch_response(records, failed)


def _correlation_id(record: dict[str, Any]) -> str | None:
    """The correlation id the event carries, if the body is readable enough to tell."""
    try:
        return valid_correlation_id(json.loads(record["body"])["detail"]["correlation_id"])
    except (KeyError, TypeError, ValueError):
        return None


def _apply(record: dict[str, Any], service: SessionService) -> str:
    try:
        envelope = json.loads(record["body"])
        detail_type = envelope["detail-type"]
        detail = envelope["detail"]
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedEvent("the message body is not an EventBridge event") from error
    if not isinstance(detail, dict):
        raise MalformedEvent("the event has no detail object")
    if detail_type not in BET_EVENTS:
        return "ignored: not a bet or a win"
    if detail.get("session_id") is None:
        return "ignored: played outside a session"
    session_id = _text(detail, "session_id")
    event_id = _text(detail, "event_id")
    player_id = _text(detail, "player_id")
    amount = detail.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise MalformedEvent("amount must be a non-negative integer")
    if detail_type == "BetPlaced":
        activity = SessionActivity(bets=1, staked=amount)
    else:
        activity = SessionActivity(won=amount)
    applied = service.record_bet_activity(session_id, event_id, activity, player_id=player_id)
    return "applied" if applied else "skipped: already applied or not the player's session"


def _text(detail: dict[str, Any], name: str) -> str:
    value = detail.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"{name} must be a non-empty string")
    return value


def _session_service() -> SessionService:
    """The service on AWS, built on the first invocation and reused while the container lives."""
    global _service  # one set of clients per container
    if _service is None:
        from ..adapters.dynamodb import DynamoSessionStore
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
