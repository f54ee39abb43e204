"""Domain events: facts the backend publishes, each carrying the correlation id that caused it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
