"""Domain events: facts the backend publishes, each carrying the correlation id that caused it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# The fields of an outbox record: everything needed to publish the event later, exactly as it was made.
OUTBOX_FIELDS = ("name", "source", "detail", "correlation_id", "occurred_at", "event_id")


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """One fact, e.g. BetPlaced; `event_id` is deterministic so a retried publish is deduplicable."""

    name: str
    source: str
    detail: dict[str, Any]
    correlation_id: str
    occurred_at: datetime
    event_id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.event_id:
            digest = hashlib.sha256(
                json.dumps([self.name, self.detail], sort_keys=True, default=str).encode()
            ).hexdigest()[:32]
            object.__setattr__(self, "event_id", digest)

    def envelope(self) -> dict[str, Any]:
        """The JSON body published on the bus (EventBridge `detail`)."""
        return {
            "event_id": self.event_id,
            "correlation_id": self.correlation_id,
            "occurred_at": self.occurred_at.isoformat(),
            **self.detail,
        }

    def to_outbox(self) -> dict[str, Any]:
        """The event as an outbox record, written in the same transaction as the change that caused it."""
        return {
            "name": self.name,
            "source": self.source,
            "detail": self.detail,
            "correlation_id": self.correlation_id,
            "occurred_at": self.occurred_at.isoformat(),
            "event_id": self.event_id,
        }

    @classmethod
    def from_outbox(cls, record: dict[str, Any]) -> DomainEvent:
        """The event an outbox record holds; ValueError if the record is not one."""
        if not isinstance(record, dict) or set(record) != set(OUTBOX_FIELDS):
            shown = sorted(record) if isinstance(record, dict) else record
            raise ValueError(f"not an outbox record: {shown!r}")
        if not isinstance(record["detail"], dict):
            raise ValueError("an outbox record's detail must be an object")
        occurred_at = datetime.fromisoformat(str(record["occurred_at"]))
        if occurred_at.tzinfo is None:
            raise ValueError("an outbox record's occurred_at must carry its timezone")
        return cls(
            name=str(record["name"]),
            source=str(record["source"]),
            detail=record["detail"],
            correlation_id=str(record["correlation_id"]),
            occurred_at=occurred_at,
            event_id=str(record["event_id"]),
        )
