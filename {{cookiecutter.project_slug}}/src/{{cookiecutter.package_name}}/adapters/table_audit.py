"""The audit trail's Azure Table Storage store: the hash chain, appended by ONE entity group transaction.

Entity layout: the whole chain is one partition (PartitionKey=CHAIN), because an entity group transaction
(Table Storage's only atomic multi-entity write) stays within a partition:
- audit head       RowKey=HEAD                      sequence (Int64), hash
- audit record     RowKey=RECORD:<sequence:020>     the record's fields, detail as JSON
- audited event    RowKey=EVENT:<event_id>          sequence (Int64): an event is recorded once

An append links the new events after the head it read and writes, in one transaction, the head at the
ETag it was read with (inserted if the chain was empty) and each record and event marker "insert if
absent": another writer that moved the head, or recorded one of the events, fails the whole
transaction, so the chain cannot fork and no event is recorded twice. A lost race reads again (which of
the events are recorded now, and the new head) and retries with growing jitter; a writer that keeps
losing raises AuditAppendContention and the worker's batch is redelivered.

Requests per append of up to 49 events (a transaction holds 100 operations: the head and two per
event): 2, the head's read and the transaction. Events already recorded are looked for only after a
lost race (a redelivery), one query per 14 events (Table Storage's filters hold 15 comparisons). `head`
and `record` are one read each; `records` one query per page of 1,000. One partition takes about 2,000
entities a second: a busy chain appends in batches (the worker's), not event by event.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, TableEntity, TableTransactionError, UpdateMode

from ..domain.audit import AppendResult, AuditEvent, AuditRecord, ChainHead, link
from .audit_records import record_fields, record_of
from .azure_tables import LOST_RACE, TRANSACTION_OPERATIONS, error_code, if_unchanged, int64, integer, key

# The head and two entities per event in one transaction.
AUDIT_EVENTS_PER_TRANSACTION = (TRANSACTION_OPERATIONS - 1) // 2
# Appends lost to another writer (the head moved) are retried this often before giving up.
AUDIT_APPEND_ATTEMPTS = 8
# Event ids looked up per query: a filter holds at most 15 comparisons, one is the partition's.
EVENTS_PER_LOOKUP = 14
CHAIN = "CHAIN"
HEAD = "HEAD"
RECORD = "RECORD:"
PAST_RECORD = "RECORD;"
EVENT = "EVENT:"


class AuditAppendContention(RuntimeError):
    """Other writers kept moving the chain's head; the events were not appended (retry later)."""


class TableAuditLog:
    """The hash chain in one Azure table: each append is ONE entity group transaction."""

    def __init__(self, table: TableClient) -> None:
        self.table = table

    def append(self, events: Sequence[AuditEvent], recorded_at: datetime) -> AppendResult:
        unique = list({event.event_id: event for event in reversed(events)}.values())[::-1]
        appended: list[AuditRecord] = []
        already: dict[str, int] = {}
        for start in range(0, len(unique), AUDIT_EVENTS_PER_TRANSACTION):
            result = self._append_chunk(unique[start : start + AUDIT_EVENTS_PER_TRANSACTION], recorded_at)
            appended.extend(result.appended)
            already.update(result.already_recorded)
        return AppendResult(appended, already)

    def head(self) -> ChainHead:
        stored = self._get(HEAD)
        return _head_of(stored)

    def record(self, sequence: int) -> AuditRecord | None:
        stored = self._get(_record_key(sequence))
        return None if stored is None else _record_from(stored)

    def records(self) -> Iterator[AuditRecord]:
        found = self.table.query_entities(
            "PartitionKey eq @chain and RowKey ge @first and RowKey lt @last",
            parameters={"chain": CHAIN, "first": RECORD, "last": PAST_RECORD},
        )
        # RowKeys sort as strings: the zero-padded sequence keeps the chain's order.
        for entity in found:
            yield _record_from(entity)

    def _append_chunk(self, events: list[AuditEvent], recorded_at: datetime) -> AppendResult:
        already: dict[str, int] = {}
        for attempt in range(AUDIT_APPEND_ATTEMPTS):
            if attempt:
                # A lost race, or a redelivery: which of these events are in the chain now?
                already = self._sequences_of([event.event_id for event in events])
            new = [event for event in events if event.event_id not in already]
            if not new:
                return AppendResult([], already)
            stored_head = self._get(HEAD)
            records = link(_head_of(stored_head), new, recorded_at)
            last = records[-1]
            head = {
                "PartitionKey": CHAIN,
                "RowKey": HEAD,
                "sequence": int64(last.sequence),
                "hash": last.hash,
            }
            operations: list[tuple[Any, ...]] = [
                ("create", head)
                if stored_head is None
                else ("update", head, {"mode": UpdateMode.REPLACE, **if_unchanged(stored_head)})
            ]
            for record in records:
                operations.append(("create", _record_entity(record)))
                operations.append(
                    (
                        "create",
                        {
                            "PartitionKey": CHAIN,
                            "RowKey": _event_key(record.event_id),
                            "sequence": int64(record.sequence),
                        },
                    )
                )
            try:
                self.table.submit_transaction(operations)
            except TableTransactionError as failure:
                if error_code(failure) not in LOST_RACE and failure.status_code not in (409, 412):
                    raise
                # Another writer moved the head or recorded one of these events first: back off
                # (growing jitter, so contending writers spread out) and read again.
                time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - jitter, not crypto
                continue
            return AppendResult(records, already)
        raise AuditAppendContention(
            f"the audit chain's head kept moving; {len(events)} event(s) not appended"
        )

    def _sequences_of(self, event_ids: list[str]) -> dict[str, int]:
        """The sequence of every event id already recorded (Table Storage reads are consistent)."""
        found: dict[str, int] = {}
        for start in range(0, len(event_ids), EVENTS_PER_LOOKUP):
            batch = event_ids[start : start + EVENTS_PER_LOOKUP]
            parameters = {"chain": CHAIN} | {
                f"e{index}": _event_key(event_id) for index, event_id in enumerate(batch)
            }
            # Spaces around the names: the SDK finds a parameter up to the next space (`@e0)` is no name).
            either = " or ".join(f"RowKey eq @e{index}" for index in range(len(batch)))
            for entity in self.table.query_entities(
                f"PartitionKey eq @chain and ( {either} )",
                parameters=parameters,
                select=["RowKey", "sequence"],
            ):
                found[_event_of(entity["RowKey"])] = integer(entity, "sequence")
        return found

    def _get(self, row_key: str) -> TableEntity | None:
        try:
            return self.table.get_entity(CHAIN, row_key)
        except ResourceNotFoundError:
            return None


def _head_of(stored: TableEntity | None) -> ChainHead:
    return ChainHead() if stored is None else ChainHead(integer(stored, "sequence"), stored["hash"])


def _record_key(sequence: int) -> str:
    return f"{RECORD}{sequence:020d}"


def _event_key(event_id: str) -> str:
    return f"{EVENT}{key(event_id)}"


def _event_of(row_key: str) -> str:
    return unquote(row_key.removeprefix(EVENT))


def _record_entity(record: AuditRecord) -> dict[str, Any]:
    return {
        "PartitionKey": CHAIN,
        "RowKey": _record_key(record.sequence),
        "sequence": int64(record.sequence),
        **record_fields(record),
    }


def _record_from(entity: TableEntity) -> AuditRecord:
    return record_of(entity, integer(entity, "sequence"))
