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
from ..observability import get_logger

BET_EVENTS = frozenset({"BetPlaced", "BetSettled"})

_service: SessionService | None = None


class MalformedEvent(ValueError):
    """The message is not a wallet event this worker understands."""


def handler(event: dict[str, Any], context: object) -> dict[str, list[dict[str, str]]]:
    """Lambda entry point (partial batch responses: functionResponseType ReportBatchItemFailures)."""
    return process_batch(event, _session_service())


def process_batch(event: dict[str, Any], service: SessionService) -> dict[str, list[dict[str, str]]]:
    """Apply every record; return the message ids of those that failed."""
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = str(record.get("messageId", ""))
        try:
            outcome = _apply(record, service)
        except Exception:  # one bad record must not fail (and replay) the whole batch
            get_logger().exception("session activity record failed", extra={"message_id": message_id})
            failures.append({"itemIdentifier": message_id})
        else:
            get_logger().info("session activity record", extra={"message_id": message_id, "outcome": outcome})
    return {"batchItemFailures": failures}


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
