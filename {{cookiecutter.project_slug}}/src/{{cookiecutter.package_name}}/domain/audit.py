"""The audit trail: critical events appended to a hash chain, so tampering shows.

Each record's hash is sha256 over the previous record's hash and the record's canonical JSON. Changing,
removing or reordering a record breaks the link to every record after it; `verify` names the first
record that does not check out. The chain's hashes are also archived, write-once, as anchors: a chain
rewritten from some record onwards (hashes recomputed) no longer matches the anchors taken before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .events import DomainEvent

if TYPE_CHECKING:
    from ..ports import AuditArchive, AuditLog, AuditRecordSink, Clock

# The "previous hash" of the first record.
GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """A critical event to record: who or what did it is in `detail` (ids only, no personal data)."""

    event_id: str
    name: str
    source: str
    occurred_at: str
    correlation_id: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_domain_event(cls, event: DomainEvent) -> AuditEvent:
        """The audit view of a domain event the backend published."""
        return cls(
            event_id=event.event_id,
            name=event.name,
            source=event.source,
            occurred_at=event.occurred_at.isoformat(),
            correlation_id=event.correlation_id,
            detail=dict(event.detail),
        )


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One link of the chain: an event, where it sits (`sequence`, from 1) and its hashes."""

    sequence: int
    event_id: str
    name: str
    source: str
    occurred_at: str
    correlation_id: str
    detail: Mapping[str, Any]
    recorded_at: str
    previous_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        """Every field the hash covers (all but the hashes themselves)."""
        return {
            "sequence": self.sequence,
            "event_id": self.event_id,
            "name": self.name,
            "source": self.source,
            "occurred_at": self.occurred_at,
            "correlation_id": self.correlation_id,
            "detail": dict(self.detail),
            "recorded_at": self.recorded_at,
        }

    def to_json(self) -> dict[str, Any]:
        """The record as stored and archived."""
        return {**self.body(), "previous_hash": self.previous_hash, "hash": self.hash}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuditRecord:
        """The record from its stored form (`to_json`)."""
        return cls(
            sequence=int(data["sequence"]),
            event_id=str(data["event_id"]),
            name=str(data["name"]),
            source=str(data["source"]),
            occurred_at=str(data["occurred_at"]),
            correlation_id=str(data["correlation_id"]),
            detail=dict(data["detail"]),
            recorded_at=str(data["recorded_at"]),
            previous_hash=str(data["previous_hash"]),
            hash=str(data["hash"]),
        )


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The newest record's sequence and hash (sequence 0 and GENESIS_HASH for an empty chain)."""

    sequence: int = 0
    hash: str = GENESIS_HASH


@dataclass(frozen=True, slots=True)
class Anchor:
    """A record's hash as archived write-once: the chain must still hold it at `sequence`."""

    sequence: int
    hash: str


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first record that does not check out, and why."""

    sequence: int
    reason: str


@dataclass(frozen=True, slots=True)
class Verification:
    """What a walk of the chain found."""

    records: int
    anchors: int
    broken: ChainBreak | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


@dataclass(frozen=True, slots=True)
class AppendResult:
    """The records an append wrote, and the sequences of events that were already in the chain."""

    appended: list[AuditRecord]
    already_recorded: dict[str, int] = field(default_factory=dict)


def canonical_json(body: Mapping[str, Any]) -> bytes:
    """One byte string per record content: sorted keys, no spaces, ASCII only."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return text.encode()


def chain_hash(previous_hash: str, body: Mapping[str, Any]) -> str:
    """sha256 over the previous record's hash and this record's canonical JSON."""
    return hashlib.sha256(previous_hash.encode("ascii") + b"\n" + canonical_json(body)).hexdigest()


def link(head: ChainHead, events: Sequence[AuditEvent], recorded_at: datetime) -> list[AuditRecord]:
    """The records that append `events`, in order, to a chain ending at `head`."""
    records: list[AuditRecord] = []
    previous_hash, sequence = head.hash, head.sequence
    for event in events:
        sequence += 1
        unsealed = AuditRecord(
            sequence=sequence,
            event_id=event.event_id,
            name=event.name,
            source=event.source,
            occurred_at=event.occurred_at,
            correlation_id=event.correlation_id,
            detail=dict(event.detail),
            recorded_at=recorded_at.isoformat(),
            previous_hash=previous_hash,
            hash="",
        )
        record = replace(unsealed, hash=chain_hash(previous_hash, unsealed.body()))
        records.append(record)
        previous_hash = record.hash
    return records


def sealed(record: AuditRecord) -> bool:
    """Whether the record's content, with the hash it links to, gives its own hash."""
    return chain_hash(record.previous_hash, record.body()) == record.hash


def verify(records: Iterable[AuditRecord], head: ChainHead | None = None) -> ChainBreak | None:
    """The first break of a chain read from its start, or None if every link holds.

    A record is broken when its sequence is not the next one (a record removed or inserted), its
    previous hash is not the hash of the record before (reordered), or its content no longer gives
    its hash (edited). With `head`, a chain that ends before or after the head is broken too.
    """
    expected, previous_hash = 1, GENESIS_HASH
    for record in records:
        if record.sequence != expected:
            return ChainBreak(expected, f"record {expected} is missing (found {record.sequence} instead)")
        if record.previous_hash != previous_hash:
            return ChainBreak(record.sequence, "does not link to the record before it")
        if not sealed(record):  # its previous hash is the one checked just above
            return ChainBreak(record.sequence, "its content does not match its hash")
        previous_hash, expected = record.hash, expected + 1
    if head is not None and (head.sequence, head.hash) != (expected - 1, previous_hash):
        return ChainBreak(min(head.sequence, expected), "the chain does not end at its recorded head")
    return None


class AuditTrail:
    """Appends critical events to the chain, hands each new record to the archive, verifies the chain.

    `archive` is the write-once archive itself or, on AWS, the queue in front of it (the auditArchive
    worker writes what the queue holds): either way a record is appended only with its archiving
    under way, durably.
    """

    def __init__(self, log: AuditLog, archive: AuditRecordSink, clock: Clock) -> None:
        self._log = log
        self._archive = archive
        self._clock = clock

    def record(self, events: Sequence[AuditEvent]) -> AppendResult:
        """Append the events not recorded yet (by event id), then hand them to the archive.

        Events recorded before are handed over again: their first hand-over may be what failed, and
        the archive is write-once, so a second copy of a record changes nothing.
        """
        result = self._log.append(events, self._clock.now())
        again = [self._log.record(sequence) for sequence in sorted(set(result.already_recorded.values()))]
        to_archive = result.appended + [record for record in again if record is not None]
        if to_archive:
            self._archive.store(sorted(to_archive, key=lambda record: record.sequence))
        return result

    def verify(self, archive: AuditArchive) -> Verification:
        """Walk the whole chain: every link, the head, and every write-once anchor in `archive`.

        Records not archived yet (the archive's queue still holds them) have no anchor: the links
        and the head still cover them.
        """
        anchors = {anchor.sequence: anchor.hash for anchor in archive.anchors()}
        held: dict[int, str] = {}
        walked = 0

        def walk() -> Iterable[AuditRecord]:
            nonlocal walked
            for record in self._log.records():
                walked += 1
                if record.sequence in anchors:
                    held[record.sequence] = record.hash
                yield record

        broken = verify(walk(), self._log.head())
        if broken is None:
            for sequence in sorted(anchors):
                if held.get(sequence) != anchors[sequence]:
                    broken = ChainBreak(sequence, "differs from its write-once archive")
                    break
        return Verification(records=walked, anchors=len(anchors), broken=broken)


def failed_sign_in(
    *, source: str, route: str | None, reason: str, request_id: str, correlation_id: str, at: datetime
) -> DomainEvent:
    """The audit event of a player route reached without a verified player (no personal data).

    The request id keeps two failures apart even when a caller repeats its correlation id.
    """
    return DomainEvent(
        name="PlayerSignInFailed",
        source=source,
        detail={"route": route or "unknown", "reason": reason, "request_id": request_id},
        correlation_id=correlation_id,
        occurred_at=at,
    )
