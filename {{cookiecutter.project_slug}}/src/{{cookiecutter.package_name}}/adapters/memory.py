"""In-memory adapters: the same semantics as the cloud ones, for unit tests and local runs.

This file holds the ones every project has; each module's own are in `memory_<module>.py`.

Each store guards its state with one lock, so a check and the write that depends on it are atomic
exactly like the conditional transactions of the cloud adapters.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from ..domain.audit import Anchor, AppendResult, AuditEvent, AuditRecord, ChainHead, link
from ..domain.events import DomainEvent


class FixedClock:
    """A clock that stands still until told to move: tests decide what time it is."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back, with a negative delta)."""
        self._now += delta


class InMemoryEventPublisher:
    """Keeps every published event in `events`, in publishing order."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []
        self._lock = threading.Lock()

    def publish(self, events: Sequence[DomainEvent]) -> None:
        with self._lock:
            self.events.extend(events)


class InMemoryAuditLog:
    """The chain as a list (index = sequence - 1), its head and the recorded event ids, behind one lock."""

    def __init__(self) -> None:
        # Tests tamper with the chain and its head to prove that verification notices.
        self.chain: list[AuditRecord] = []
        self.chain_head = ChainHead()
        self._sequence_of: dict[str, int] = {}
        self._lock = threading.Lock()

    def append(self, events: Sequence[AuditEvent], recorded_at: datetime) -> AppendResult:
        with self._lock:
            already: dict[str, int] = {}
            new: list[AuditEvent] = []
            pending: set[str] = set()
            for event in events:
                if event.event_id in self._sequence_of:
                    already[event.event_id] = self._sequence_of[event.event_id]
                elif event.event_id not in pending:
                    pending.add(event.event_id)
                    new.append(event)
            records = link(self.chain_head, new, recorded_at)
            self.chain.extend(records)
            if records:
                self.chain_head = ChainHead(records[-1].sequence, records[-1].hash)
            self._sequence_of.update({record.event_id: record.sequence for record in records})
            return AppendResult(records, already)

    def head(self) -> ChainHead:
        with self._lock:
            return self.chain_head

    def record(self, sequence: int) -> AuditRecord | None:
        with self._lock:
            return self.chain[sequence - 1] if 0 < sequence <= len(self.chain) else None

    def records(self) -> Iterator[AuditRecord]:
        with self._lock:
            snapshot = list(self.chain)
        return iter(snapshot)


class InMemoryAuditArchive:
    """Archived batches of records by object key; nothing stored is ever replaced or removed."""

    def __init__(self) -> None:
        self.objects: dict[str, list[AuditRecord]] = {}
        self._lock = threading.Lock()

    def store(self, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        last = records[-1]
        with self._lock:
            self.objects.setdefault(f"{records[0].sequence}-{last.sequence}-{last.hash}", list(records))

    def anchors(self) -> Iterator[Anchor]:
        with self._lock:
            lasts = [records[-1] for records in self.objects.values()]
        return iter(sorted({Anchor(record.sequence, record.hash) for record in lasts}, key=_by_sequence))


def _by_sequence(anchor: Anchor) -> int:
    return anchor.sequence
