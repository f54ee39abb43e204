"""Domain events as Event Grid carries them: CloudEvents 1.0 JSON, the topic's input and delivery schema.

The custom topic (infra/events.tf) takes CloudEvents 1.0 (`input_schema = "CloudEventSchemaV1_0"`) and
its Storage Queue subscriptions deliver each event in that schema, one event per queue message. The
event type is the event's name (what each subscription's `included_event_types` filters on), the source
its module's source; the data is the envelope the AWS flavour publishes as EventBridge `detail`, so the
workers read the same fields on every cloud.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..domain.events import DomainEvent

SPEC_VERSION = "1.0"


def cloud_event(event: DomainEvent) -> dict[str, Any]:
    """The CloudEvent the topic takes for `event` (its id is the event id, so a republish is deduplicable)."""
    return {
        "specversion": SPEC_VERSION,
        "id": event.event_id,
        "type": event.name,
        "source": event.source,
        "time": event.occurred_at.isoformat(),
        "datacontenttype": "application/json",
        "data": event.envelope(),
    }


def event_from_delivery(body: str) -> DomainEvent:
    """The domain event of a queue message Event Grid delivered; ValueError if the body is not one."""
    try:
        delivered = json.loads(body)
        data = dict(delivered["data"])
        return DomainEvent(
            name=str(delivered["type"]),
            source=str(delivered["source"]),
            event_id=str(delivered["id"]),
            correlation_id=str(data.pop("correlation_id")),
            occurred_at=datetime.fromisoformat(str(data.pop("occurred_at"))),
            detail={key: value for key, value in data.items() if key != "event_id"},
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not an Event Grid CloudEvent of this casino: {error}") from error
