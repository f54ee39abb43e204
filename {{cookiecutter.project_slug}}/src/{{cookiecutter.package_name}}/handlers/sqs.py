"""What the SQS workers share: partial batch responses, and counting what goes to a dead-letter queue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..observability import add_metric

# RedrivePolicy maxReceiveCount of every worker queue in serverless.yml: a record that fails on this
# receive moves to the dead-letter queue.
MAX_RECEIVE_COUNT = 3

BatchResponse = dict[str, list[dict[str, str]]]


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
