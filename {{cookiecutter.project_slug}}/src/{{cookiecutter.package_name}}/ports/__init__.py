"""Ports: the small Protocols the domain needs; adapters implement them at the edge.

This package holds the ports every project has; each module's own ports are in `ports/<module>.py`,
kept only when the module is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from ..domain.audit import Anchor, AppendResult, AuditEvent, AuditRecord, ChainHead
from ..domain.events import DomainEvent


class Clock(Protocol):
    """Tells the time (UTC, timezone-aware)."""

    def now(self) -> datetime: ...


class EventPublisher(Protocol):
    """Publishes domain events to the bus; all or nothing per call is not promised."""

    def publish(self, events: Sequence[DomainEvent]) -> None: ...


class MarketingGate(Protocol):
    """Player protection's word on marketing (bonuses, tournaments, marketing consent)."""

    def check_marketing(self, player_id: str) -> None:
        """Raise a refusal naming the exclusion while the player is self-excluded or cooling off."""
        ...


class AuditLog(Protocol):
    """The hash-chained audit trail: append-only, one chain, no forks.

    An append is one atomic, conditional write: it succeeds only if the chain's head is still the one
    the new records link to, so two writers can never both extend the same record.
    """

    def append(self, events: Sequence[AuditEvent], recorded_at: datetime) -> AppendResult:
        """Link the events not recorded yet (by event id) after the head, in order, atomically.

        Events already in the chain are not written again: their sequences are returned in
        `already_recorded`. An event repeated within `events` is written once.
        """
        ...

    def head(self) -> ChainHead:
        """The newest record's sequence and hash (sequence 0 for an empty chain)."""
        ...

    def record(self, sequence: int) -> AuditRecord | None:
        """The record at `sequence`, or None."""
        ...

    def records(self) -> Iterator[AuditRecord]:
        """Every record from the first, in sequence order, as stored (for verification)."""
        ...


class AuditRecordSink(Protocol):
    """Where appended audit records go to be archived: the archive itself, or a queue in front of it."""

    def store(self, records: Sequence[AuditRecord]) -> None:
        """Archive records (ordered by sequence), or hand them durably to what archives them."""
        ...


class AuditArchive(AuditRecordSink, Protocol):
    """Write-once copies of audit records; each copy's last hash is an anchor of the chain."""

    def store(self, records: Sequence[AuditRecord]) -> None:
        """Archive records (ordered by sequence) as one object that cannot be changed or deleted."""
        ...

    def anchors(self) -> Iterator[Anchor]:
        """The last record's sequence and hash of every archived object."""
        ...
