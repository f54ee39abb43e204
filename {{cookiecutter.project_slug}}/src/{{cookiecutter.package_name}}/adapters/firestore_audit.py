"""The audit trail's Firestore store (the casino's named database): the hash chain, appended by ONE commit.

Document layout:
- audit head       audit/head                          sequence, hash (absent for an empty chain)
- audit record     audit_records/<sequence:020>        the record's fields, detail as JSON
- audited event    audit_events/<event_id>             sequence (an event is recorded once)

Requests per append of up to AUDIT_EVENTS_PER_COMMIT new events (tests/gcp/test_firestore_audit.py
counts the commits): one BatchGetDocuments of the events' markers, one read of the head, then ONE commit
that moves the head only if it is still the head read (its update time, or "absent" for the first
append) and creates every record and marker only if absent. So the chain cannot fork and an event id is
recorded once however often it is delivered: the design of the DynamoDB log (adapters/dynamodb_audit.py),
with Firestore's preconditions for its condition expressions.

Why a conditional commit rather than a read-write transaction: the database runs in pessimistic
concurrency mode (infra/main.tf), where the head read by a transaction is locked until it commits, so
concurrent appenders would queue on one document; the conditional commit locks nothing, and the loser
is refused at once, reads the new head and tries again, as the port says (AuditAppendContention when the
head keeps moving: the worker's messages are then redelivered).

Records are read in sequence order by their zero-padded ids (the collection's default order, no index).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from google.api_core.exceptions import Conflict, FailedPrecondition
from google.cloud import firestore

from ..domain.audit import AppendResult, AuditEvent, AuditRecord, ChainHead, link
from .audit_records import record_fields, record_of

Document = dict[str, Any]
HEAD = "audit/head"
RECORDS = "audit_records"
EVENTS = "audit_events"
# An append writes the head plus two documents per event; a commit holds at most 500 writes.
AUDIT_EVENTS_PER_COMMIT = 200
# Appends lost to another writer (the head moved) are retried this often before giving up.
AUDIT_APPEND_ATTEMPTS = 8


class AuditAppendContention(RuntimeError):
    """Other writers kept moving the chain's head; the events were not appended (retry later)."""


class FirestoreAuditLog:
    """The hash chain in Firestore documents: each append is ONE conditional commit."""

    def __init__(self, database: str, client: Any | None = None, *, project: str | None = None) -> None:
        self.client = client if client is not None else firestore.Client(project=project, database=database)

    def append(self, events: Sequence[AuditEvent], recorded_at: datetime) -> AppendResult:
        unique = list({event.event_id: event for event in reversed(events)}.values())[::-1]
        appended: list[AuditRecord] = []
        already: dict[str, int] = {}
        for start in range(0, len(unique), AUDIT_EVENTS_PER_COMMIT):
            result = self._append_chunk(unique[start : start + AUDIT_EVENTS_PER_COMMIT], recorded_at)
            appended.extend(result.appended)
            already.update(result.already_recorded)
        return AppendResult(appended, already)

    def head(self) -> ChainHead:
        return _head_from(self._head_snapshot())

    def record(self, sequence: int) -> AuditRecord | None:
        snapshot = self.client.document(_record_path(sequence)).get()
        return _record_from(snapshot.to_dict()) if snapshot.exists else None

    def records(self) -> Iterator[AuditRecord]:
        for snapshot in self.client.collection(RECORDS).stream():
            yield _record_from(snapshot.to_dict())

    def _append_chunk(self, events: list[AuditEvent], recorded_at: datetime) -> AppendResult:
        for attempt in range(AUDIT_APPEND_ATTEMPTS):
            already = self._sequences_of([event.event_id for event in events])
            new = [event for event in events if event.event_id not in already]
            if not new:
                return AppendResult([], already)
            snapshot = self._head_snapshot()
            records = link(_head_from(snapshot), new, recorded_at)
            batch = self.client.batch()
            moved = {"sequence": records[-1].sequence, "hash": records[-1].hash}
            if snapshot.exists:
                # Only if the head is still the one read: the records link to it.
                option = self.client.write_option(last_update_time=snapshot.update_time)
                batch.update(snapshot.reference, moved, option=option)
            else:
                batch.create(snapshot.reference, moved)
            for record in records:
                batch.create(self.client.document(_record_path(record.sequence)), _record_to(record))
                marker = self.client.document(f"{EVENTS}/{record.event_id}")
                batch.create(marker, {"sequence": record.sequence})
            try:
                batch.commit()
            except (Conflict, FailedPrecondition):
                # Another writer moved the head or recorded one of these events first: back off
                # (growing jitter, so contending writers spread out) and read again.
                time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - jitter, not crypto
                continue
            return AppendResult(records, already)
        raise AuditAppendContention(
            f"the audit chain's head kept moving; {len(events)} event(s) not appended"
        )

    def _head_snapshot(self) -> Any:
        """The head's document as read now (absent for an empty chain), with its update time."""
        return self.client.document(HEAD).get()

    def _sequences_of(self, event_ids: list[str]) -> dict[str, int]:
        """The sequence of every event id already recorded, in one BatchGetDocuments."""
        refs = [self.client.document(f"{EVENTS}/{event_id}") for event_id in event_ids]
        return {
            snapshot.id: int(snapshot.to_dict()["sequence"])
            for snapshot in self.client.get_all(refs)
            if snapshot.exists
        }


def _head_from(snapshot: Any) -> ChainHead:
    if not snapshot.exists:
        return ChainHead()
    document = snapshot.to_dict()
    return ChainHead(int(document["sequence"]), document["hash"])


def _record_path(sequence: int) -> str:
    return f"{RECORDS}/{sequence:020d}"


def _record_to(record: AuditRecord) -> Document:
    return {"sequence": record.sequence, **record_fields(record)}


def _record_from(document: Document) -> AuditRecord:
    return record_of(document, int(document["sequence"]))
