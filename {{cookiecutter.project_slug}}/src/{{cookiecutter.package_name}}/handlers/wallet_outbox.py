"""Carries the wallet's outbox to the bus: each new ledger entry's events, from the table's stream.

A money operation writes its ledger entry and the entry's domain events (the `outbox` attribute) in
one TransactWriteItems; nothing publishes on the player's path. The wallet table's stream delivers
the INSERT of every entry that has an outbox (the event source mapping's filter), in order per
shard, and this function publishes each record's events to the bus in that order:
- EventBridge fails or refuses an event: the function stops at that record and reports its sequence
  number (batchItemFailures). Lambda retries the batch from there, so nothing is lost, nothing is
  published ahead of an earlier event of the shard, and an event published before the failure is
  published again with the same event id (the workers apply each event id once).
- A record whose outbox cannot be read (poison) goes to the dead-letter queue with its keys, and the
  records after it are published: one bad record never blocks its shard.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..domain.events import DomainEvent
from ..domain.outbox import MalformedOutbox, PoisonSink, read_outbox
from ..observability import (
    add_metric,
    bind_invocation,
    flush_metrics,
    get_logger,
    set_correlation_id,
    valid_correlation_id,
)

BatchResponse = dict[str, list[dict[str, str]]]


class EventSink(Protocol):
    """Where the outbox's events go (the bus)."""

    def publish(self, events: Sequence[DomainEvent]) -> None: ...


@dataclass(frozen=True, slots=True)
class OutboxRelay:
    """Publishes the outbox of stream records, in order; poison records go to the dead letters."""

    bus: EventSink
    dead_letters: PoisonSink

    def relay(self, records: Sequence[dict[str, Any]]) -> BatchResponse:
        """Publish every record's events; the partial batch response for the first that failed."""
        for record in records:
            try:
                events = outbox_events(record)
            except MalformedOutbox as error:
                if not self._dead_letter(record, str(error)):
                    return _retry_from(record)
                continue
            set_correlation_id(valid_correlation_id(events[0].correlation_id) if events else None)
            try:
                self.bus.publish(events)
            except Exception:  # EventBridge down or refusing: retry from here, in order
                get_logger().exception(
                    "outbox events not published; retried from this record",
                    extra={"sequence_number": sequence_number(record), "events": len(events)},
                )
                add_metric("OutboxPublishFailures", 1)
                set_correlation_id(None)
                return _retry_from(record)
            add_metric("OutboxEventsPublished", len(events))
            get_logger().info("outbox events published", extra={"events": [e.name for e in events]})
        set_correlation_id(None)
        return {"batchItemFailures": []}

    def _dead_letter(self, record: dict[str, Any], reason: str) -> bool:
        body = json.dumps(
            {
                "reason": reason,
                "sequence_number": sequence_number(record),
                "keys": record.get("dynamodb", {}).get("Keys"),
                "outbox": record.get("dynamodb", {}).get("NewImage", {}).get("outbox"),
            },
            default=str,
        )
        try:
            self.dead_letters.send(body)
        except Exception:
            get_logger().exception("poison outbox record not dead-lettered; retried")
            return False
        add_metric("OutboxPoisonRecords", 1)
        get_logger().error(
            "poison outbox record sent to the dead-letter queue",
            extra={"sequence_number": sequence_number(record), "reason": reason},
        )
        return True


def outbox_events(record: dict[str, Any]) -> list[DomainEvent]:
    """The events a stream record's new image carries; MalformedOutbox if it carries none readable."""
    try:
        raw = record["dynamodb"]["NewImage"]["outbox"]["S"]
    except (KeyError, TypeError) as error:
        raise MalformedOutbox("the record has no readable outbox attribute") from error
    return read_outbox(raw)


def sequence_number(record: dict[str, Any]) -> str:
    """The stream record's sequence number (what a partial batch response names)."""
    return str(record.get("dynamodb", {}).get("SequenceNumber", ""))


def _retry_from(record: dict[str, Any]) -> BatchResponse:
    return {"batchItemFailures": [{"itemIdentifier": sequence_number(record)}]}


_relay: OutboxRelay | None = None


def handler(event: dict[str, Any], context: object) -> BatchResponse:
    """Lambda entry point (DynamoDB stream, functionResponseType ReportBatchItemFailures)."""
    bind_invocation(context)
    try:
        return aws_relay().relay(event.get("Records", []))
    finally:
        flush_metrics()


def aws_relay() -> OutboxRelay:
    """The relay on AWS, built on the first invocation and reused while the container lives."""
    global _relay  # one set of clients per container
    if _relay is None:
        import os

        from ..adapters.eventbridge import EventBridgePublisher
        from ..adapters.sqs import SqsMessages
        from ..settings import SettingsError

        bus_name = os.environ.get("EVENT_BUS_NAME", "")
        dead_letter_url = os.environ.get("OUTBOX_DEAD_LETTER_QUEUE_URL", "")
        if not bus_name or not dead_letter_url:
            raise SettingsError("EVENT_BUS_NAME and OUTBOX_DEAD_LETTER_QUEUE_URL must be set")
        _relay = OutboxRelay(EventBridgePublisher(bus_name), SqsMessages(dead_letter_url))
    return _relay
