"""EventBridge adapter: domain events onto the project's bus, ten entries per PutEvents call."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..domain.events import DomainEvent
from .aws_clients import LazyClient

# PutEvents accepts at most ten entries per call.
BATCH_SIZE = 10


class PublishFailed(RuntimeError):
    """EventBridge refused some entries; `failures` lists (event name, event id, error code)."""

    def __init__(self, failures: list[tuple[str, str, str]]) -> None:
        super().__init__(f"{len(failures)} event(s) were not published: {failures}")
        self.failures = failures


class EventBridgePublisher:
    """Publishes each DomainEvent with Source = event.source, DetailType = event.name."""

    def __init__(self, bus_name: str, client: Any | None = None) -> None:
        self.bus_name = bus_name
        self._client = LazyClient("events", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Send every event; raise PublishFailed naming the ones EventBridge did not accept."""
        failures: list[tuple[str, str, str]] = []
        for start in range(0, len(events), BATCH_SIZE):
            batch = events[start : start + BATCH_SIZE]
            response = self.client.put_events(Entries=[self._entry(event) for event in batch])
            if response.get("FailedEntryCount", 0):
                for event, result in zip(batch, response["Entries"], strict=True):
                    if "ErrorCode" in result:
                        failures.append((event.name, event.event_id, result["ErrorCode"]))
        if failures:
            raise PublishFailed(failures)

    def _entry(self, event: DomainEvent) -> dict[str, Any]:
        return {
            "EventBusName": self.bus_name,
            "Source": event.source,
            "DetailType": event.name,
            "Detail": json.dumps(event.envelope(), default=str),
            "Time": event.occurred_at,
        }
