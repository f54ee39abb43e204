"""An audit record as the document stores keep it (Firestore, Table Storage): one flat record.

The detail is JSON text with sorted keys, exactly what the record's hash was taken over, so a record
read back hashes the same; the other fields are strings as the domain holds them. The sequence is each
store's own number type (Firestore's integer, Table Storage's Int64): the store writes it beside these
fields and passes it back when it reads a record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..domain.audit import AuditRecord


def record_fields(record: AuditRecord) -> dict[str, Any]:
    """The record's fields, without its sequence."""
    return {
        "event_id": record.event_id,
        "name": record.name,
        "source": record.source,
        "occurred_at": record.occurred_at,
        "correlation_id": record.correlation_id,
        "detail": json.dumps(dict(record.detail), sort_keys=True),
        "recorded_at": record.recorded_at,
        "previous_hash": record.previous_hash,
        "hash": record.hash,
    }


def record_of(fields: Mapping[str, Any], sequence: int) -> AuditRecord:
    """The record a store read back, with the sequence in the store's own number type read as an int."""
    return AuditRecord(
        sequence=sequence,
        event_id=fields["event_id"],
        name=fields["name"],
        source=fields["source"],
        occurred_at=fields["occurred_at"],
        correlation_id=fields["correlation_id"],
        detail=json.loads(fields["detail"]),
        recorded_at=fields["recorded_at"],
        previous_hash=fields["previous_hash"],
        hash=fields["hash"],
    )
