"""The wallet's outbox on its way to the bus, whatever the cloud: read it, publish it, set poison aside.

A money operation writes its ledger entry and the entry's domain events (the `outbox`, a JSON list of
DomainEvent.to_outbox records) in one transaction; nothing publishes on the player's path. Each cloud's
relay finds the new entries in its own way (AWS: the table's stream, handlers/wallet_outbox.py; GCP: a
Firestore trigger per new entry and a sweep, adapters/firestore_outbox.py; Azure: a scheduled query of
the pending markers, adapters/table_outbox.py) and hands each one here:
- `read_outbox`: the entry's events, exactly as they were made (same event ids), or MalformedOutbox;
- `OutboxPublisher.publish`: all of an entry's events, in order; False when the bus failed or refused,
  so the relay retries that entry (an event published before the failure goes out again with the same
  event id: the workers apply each event id once);
- `OutboxPublisher.dead_letter`: an entry whose outbox cannot be read goes to the dead letters with
  where it was found, so one bad entry never blocks the others; False if even that failed (retry).
What the relay logs and counts is the cloud's (OutboxTelemetry): the decisions are the same everywhere.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .domain.events import DomainEvent

# Where an entry was found (a stream record's sequence number, a document's path): logged and dead-lettered.
Where = Mapping[str, object]


class EventSink(Protocol):
    """Where the outbox's events go (the bus)."""

    def publish(self, events: Sequence[DomainEvent]) -> None: ...


class PoisonSink(Protocol):
    """Where an entry whose outbox cannot be read goes (the dead letters)."""

    def send(self, body: str) -> None: ...


class OutboxTelemetry(Protocol):
    """What the relay logs and counts; `not_published` and `not_dead_lettered` run inside the `except`."""

    def published(self, events: Sequence[DomainEvent], where: Where) -> None: ...

    def not_published(self, events: Sequence[DomainEvent], where: Where) -> None: ...

    def dead_lettered(self, reason: str, where: Where) -> None: ...

    def not_dead_lettered(self, where: Where) -> None: ...


class MalformedOutbox(ValueError):
    """The entry carries no readable outbox."""


def read_outbox(raw: object) -> list[DomainEvent]:
    """The events an outbox attribute holds (its JSON text); MalformedOutbox if none can be read."""
    if not isinstance(raw, str):
        raise MalformedOutbox("the record has no readable outbox attribute")
    try:
        items = json.loads(raw)
    except ValueError as error:
        raise MalformedOutbox("the record has no readable outbox attribute") from error
    if not isinstance(items, list) or not items:
        raise MalformedOutbox("the outbox must be a non-empty list of events")
    try:
        return [DomainEvent.from_outbox(item) for item in items]
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedOutbox(f"an outbox event is malformed: {error}") from error


class LoggingTelemetry:
    """The relay's log lines through the standard library (ids and counts only, never an outbox's body)."""

    logger = logging.getLogger(__name__)

    def published(self, events: Sequence[DomainEvent], where: Where) -> None:
        self.logger.info("outbox events published: %s %s", [e.name for e in events], dict(where))

    def not_published(self, events: Sequence[DomainEvent], where: Where) -> None:
        self.logger.exception("outbox events not published (%d); retried: %s", len(events), dict(where))

    def dead_lettered(self, reason: str, where: Where) -> None:
        self.logger.error("poison outbox record sent to the dead letters: %s %s", reason, dict(where))

    def not_dead_lettered(self, where: Where) -> None:
        self.logger.exception("poison outbox record not dead-lettered; retried: %s", dict(where))


@dataclass(frozen=True, slots=True)
class OutboxPublisher:
    """Publishes an entry's events in order, or sends an unreadable entry to the dead letters."""

    bus: EventSink
    dead_letters: PoisonSink
    telemetry: OutboxTelemetry = field(default_factory=LoggingTelemetry)

    def publish(self, events: Sequence[DomainEvent], where: Where) -> bool:
        """Publish the entry's events; False if the bus failed or refused one (retry the entry)."""
        try:
            self.bus.publish(events)
        except Exception:  # the bus down or refusing: the relay retries this entry, in order
            self.telemetry.not_published(events, where)
            return False
        self.telemetry.published(events, where)
        return True

    def dead_letter(self, reason: str, where: Where, kept: Mapping[str, Any]) -> bool:
        """Send a poison entry aside: the reason, where it was (logged) and `kept` (in the body only)."""
        body = json.dumps({"reason": reason, **where, **kept}, default=str)
        try:
            self.dead_letters.send(body)
        except Exception:  # nowhere to set it aside: the relay retries it rather than drop it
            self.telemetry.not_dead_lettered(where)
            return False
        self.telemetry.dead_lettered(reason, where)
        return True
