"""The audit trail's DynamoDB store: the hash chain, appended by ONE conditional TransactWriteItems.

Item layout (keys `pk`/`sk`):
- audit head       pk=CHAIN               sk=HEAD                 sequence, hash
- audit record     pk=CHAIN               sk=RECORD#<sequence:020> the record's fields, detail as JSON
- audited event    pk=EVENT#<event_id>    sk=EVENT                sequence (an event is recorded once)
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from ..domain.audit import AppendResult, AuditEvent, AuditRecord, ChainHead, link
from .dynamodb import Item, TransactionCancelled, _DynamoTable, _key, _n, _s

# An audit append writes the head plus two items per event; a transaction holds at most 100 items.
AUDIT_EVENTS_PER_TRANSACTION = 49
# Appends lost to another writer (the head moved) are retried this often before giving up.
AUDIT_APPEND_ATTEMPTS = 8


class AuditAppendContention(RuntimeError):
    """Other writers kept moving the chain's head; the events were not appended (retry later)."""


class DynamoAuditLog(_DynamoTable):
    """The hash chain in one DynamoDB table: each append is ONE conditional TransactWriteItems.

    The transaction moves the head only if it is still the head the new records link to, and writes
    every record and event marker only if absent: the chain cannot fork, and an event id is
    recorded once however often it is delivered.
    """

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
        item = self._get(AUDIT_CHAIN_PK, "HEAD")
        return ChainHead() if item is None else ChainHead(int(item["sequence"]["N"]), item["hash"]["S"])

    def record(self, sequence: int) -> AuditRecord | None:
        item = self._get(AUDIT_CHAIN_PK, _record_sk(sequence))
        return None if item is None else _audit_record_from_item(item)

    def records(self) -> Iterator[AuditRecord]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :chain AND begins_with(sk, :record)",
            ExpressionAttributeValues={":chain": _s(AUDIT_CHAIN_PK), ":record": _s("RECORD#")},
            ConsistentRead=True,
        )
        for page in pages:
            for item in page.get("Items", []):
                yield _audit_record_from_item(item)

    def _append_chunk(self, events: list[AuditEvent], recorded_at: datetime) -> AppendResult:
        for attempt in range(AUDIT_APPEND_ATTEMPTS):
            already = self._sequences_of([event.event_id for event in events])
            new = [event for event in events if event.event_id not in already]
            if not new:
                return AppendResult([], already)
            head = self.head()
            records = link(head, new, recorded_at)
            items = [self._move_head(head, records[-1])]
            for record in records:
                items.append(self._put_if_absent(_audit_record_to_item(record)))
                marker = {**_key(_event_pk(record.event_id), "EVENT"), "sequence": _n(record.sequence)}
                items.append(self._put_if_absent(marker))
            try:
                self._transact(items)
            except TransactionCancelled as cancelled:
                codes = {reason.get("Code") for reason in cancelled.reasons} - {"None"}
                if not codes <= {"ConditionalCheckFailed", "TransactionConflict"}:
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
        """The sequence of every event id already recorded (strongly consistent reads)."""
        found: dict[str, int] = {}
        request: dict[str, Any] = {
            self.table_name: {
                "Keys": [_key(_event_pk(event_id), "EVENT") for event_id in event_ids],
                "ConsistentRead": True,
            }
        }
        while request:
            response = self.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table_name, []):
                found[item["pk"]["S"].removeprefix("EVENT#")] = int(item["sequence"]["N"])
            request = response.get("UnprocessedKeys") or {}
        return found

    def _move_head(self, head: ChainHead, last: AuditRecord) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _key(AUDIT_CHAIN_PK, "HEAD"),
            "UpdateExpression": "SET #sequence = :sequence, #hash = :hash",
            "ExpressionAttributeNames": {"#sequence": "sequence", "#hash": "hash"},
            "ExpressionAttributeValues": {":sequence": _n(last.sequence), ":hash": _s(last.hash)},
        }
        if head.sequence == 0:
            update["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            update["ConditionExpression"] = "#sequence = :head_sequence AND #hash = :head_hash"
            update["ExpressionAttributeValues"].update(
                {":head_sequence": _n(head.sequence), ":head_hash": _s(head.hash)}
            )
        return {"Update": update}

    def _put_if_absent(self, item: Item) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }


AUDIT_CHAIN_PK = "CHAIN"


def _record_sk(sequence: int) -> str:
    return f"RECORD#{sequence:020d}"


def _event_pk(event_id: str) -> str:
    return f"EVENT#{event_id}"


def _audit_record_to_item(record: AuditRecord) -> Item:
    return {
        **_key(AUDIT_CHAIN_PK, _record_sk(record.sequence)),
        "sequence": _n(record.sequence),
        "event_id": _s(record.event_id),
        "name": _s(record.name),
        "source": _s(record.source),
        "occurred_at": _s(record.occurred_at),
        "correlation_id": _s(record.correlation_id),
        "detail": _s(json.dumps(dict(record.detail), sort_keys=True)),
        "recorded_at": _s(record.recorded_at),
        "previous_hash": _s(record.previous_hash),
        "hash": _s(record.hash),
    }


def _audit_record_from_item(item: Item) -> AuditRecord:
    return AuditRecord(
        sequence=int(item["sequence"]["N"]),
        event_id=item["event_id"]["S"],
        name=item["name"]["S"],
        source=item["source"]["S"],
        occurred_at=item["occurred_at"]["S"],
        correlation_id=item["correlation_id"]["S"],
        detail=json.loads(item["detail"]["S"]),
        recorded_at=item["recorded_at"]["S"],
        previous_hash=item["previous_hash"]["S"],
        hash=item["hash"]["S"],
    )
