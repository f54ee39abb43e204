"""Lands a domain event in the data lake as one JSON line, once: the event stream's step where code lands it.

AWS lands the stream with Firehose and GCP with a Pub/Sub BigQuery subscription, without code; Azure
has no such delivery into Blob Storage, so the reporting app's eventLake function runs this step for
each event Event Grid delivers. The line holds the columns of the AWS table (`id`, `detail_type`,
`source`, `time`, `detail`, the envelope the workers read). Its blob is
`events/date=<YYYY-MM-DD>/<event id>.jsonl`, created only if absent: a redelivered event finds its blob
and writes nothing, so no event is landed twice. The day is the event's own time in UTC, not its
arrival, so a redelivery after midnight finds the same blob; a date folder read as one JSON lines
dataset holds each event of that day once.
"""

from __future__ import annotations

import json
import re
from datetime import UTC
from typing import Protocol

from ..domain.events import DomainEvent
from ..observability import add_metric
from ..worker_events import MalformedEvent

EVENTS_PREFIX = "events"
# An event id becomes a blob name: one path segment of safe characters, never a way out of its folder.
_EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class EventLake(Protocol):
    """Where the event lines are kept: one object per key, written once."""

    def create(self, key: str, line: bytes) -> bool:
        """Write `line` under `key` unless an object is there; False if one already was."""
        ...


def lake_key(event: DomainEvent) -> str:
    """The event's object: its UTC day's folder and its id (MalformedEvent if either is unusable)."""
    if not _EVENT_ID.fullmatch(event.event_id):
        raise MalformedEvent("the event id must be 1-128 letters, digits, dots, hyphens or underscores")
    if event.occurred_at.tzinfo is None:
        raise MalformedEvent("occurred_at must be an ISO 8601 time with a UTC offset")
    day = event.occurred_at.astimezone(UTC).date().isoformat()
    return f"{EVENTS_PREFIX}/date={day}/{event.event_id}.jsonl"


def lake_line(event: DomainEvent) -> bytes:
    """The event as one JSON line (keys sorted: the same event always gives the same bytes)."""
    record = {
        "id": event.event_id,
        "detail_type": event.name,
        "source": event.source,
        "time": event.occurred_at.astimezone(UTC).isoformat(),
        "detail": event.envelope(),
    }
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def land_event(event: DomainEvent, lake: EventLake) -> str:
    """Land `event` once; the outcome, for the log."""
    if not lake.create(lake_key(event), lake_line(event)):
        return "skipped: already landed"
    add_metric("EventsLanded")
    return "landed"
