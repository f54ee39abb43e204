"""What the SQS workers share: the event in a record, the batch loop, and partial batch responses.

A partial batch response also counts the records that failed and those that go to a dead-letter queue.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ..observability import add_metric, get_logger, set_correlation_id, valid_correlation_id

# The event a worker reads is the same on every cloud (workers/events.py); importable from here too.
from ..workers.events import BusEvent as BusEvent
from ..workers.events import MalformedEvent as MalformedEvent

# RedrivePolicy maxReceiveCount of every worker queue in serverless.yml: a record that fails on this
# receive moves to the dead-letter queue.
MAX_RECEIVE_COUNT = 3

BatchResponse = dict[str, list[dict[str, str]]]


def bus_event(record: dict[str, Any]) -> BusEvent:
    """The EventBridge event in an SQS record; MalformedEvent if the body is not one."""
    try:
        envelope = json.loads(record["body"])
        detail_type = envelope["detail-type"]
        detail = envelope["detail"]
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedEvent("the message body is not an EventBridge event") from error
    if not isinstance(detail, dict):
        raise MalformedEvent("the event has no detail object")
    if not isinstance(detail_type, str):
        raise MalformedEvent("detail-type must be a string")
    return BusEvent(detail_type, detail)


def correlation_id_of(record: dict[str, Any]) -> str | None:
    """The correlation id the event in a record carries, if the body is readable enough to tell."""
    try:
        return valid_correlation_id(json.loads(record["body"])["detail"]["correlation_id"])
    except (KeyError, TypeError, ValueError):
        return None


def process_records(
    records: list[dict[str, Any]], apply: Callable[[dict[str, Any]], object], label: str
) -> BatchResponse:
    """Apply every record under its own correlation id; the partial batch response for those that failed.

    Each record is logged as `label` with its outcome, or as "`label` failed" with the error.
    """
    failed: set[str] = set()
    for record in records:
        set_correlation_id(correlation_id_of(record))
        try:
            outcome = apply(record)
        except Exception:  # one bad record must not fail (and replay) the whole batch
            get_logger().exception(f"{label} failed", extra={"message_id": message_id(record)})
            failed.add(message_id(record))
        else:
            get_logger().info(label, extra={"message_id": message_id(record), "outcome": outcome})
    set_correlation_id(None)
    return batch_response(records, failed)


def message_id(record: dict[str, Any]) -> str:
    """The SQS message id of a record."""
    return str(record.get("messageId", ""))


def batch_response(records: Iterable[dict[str, Any]], failed: set[str]) -> BatchResponse:
    """The partial batch response for `failed` message ids; counts failures and dead-letter deliveries."""
    failures = [record for record in records if message_id(record) in failed]
    if failures:
        add_metric("RecordsFailed", len(failures))
        last_tries = [record for record in failures if _receive_count(record) >= MAX_RECEIVE_COUNT]
        if last_tries:
            add_metric("DeadLetterDeliveries", len(last_tries))
    return {"batchItemFailures": [{"itemIdentifier": message_id(record)} for record in failures]}


def _receive_count(record: dict[str, Any]) -> int:
    attributes = record.get("attributes")
    raw = attributes.get("ApproximateReceiveCount", "1") if isinstance(attributes, dict) else "1"
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 1
