"""The wallet's outbox as every cloud's relay reads it: the events written with a ledger entry.

A money operation writes its ledger entry and the entry's domain events (the `outbox`: a JSON list of
DomainEvent.to_outbox records) in one transaction of the store. A relay carries them to the bus: on AWS
from the table's stream (handlers/wallet_outbox.py), on Azure from pending markers found by a scheduled
query (adapters/table_outbox.py). What they share lives here: how an outbox is read, what an unreadable
one raises, and where such a poison record goes.
"""

from __future__ import annotations

import json
from typing import Protocol

from .events import DomainEvent


class PoisonSink(Protocol):
    """Where a record whose outbox cannot be read goes (a dead-letter queue), so it blocks nothing."""

    def send(self, body: str) -> None: ...


class MalformedOutbox(ValueError):
    """The record carries no readable outbox."""


def read_outbox(raw: object) -> list[DomainEvent]:
    """The events an outbox (its JSON text) holds, in order; MalformedOutbox if it holds none readable."""
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
