"""Domain events as Event Grid carries them: CloudEvents 1.0 JSON, the topic's input and delivery schema.

The custom topic (infra/events.tf) takes CloudEvents 1.0 (`input_schema = "CloudEventSchemaV1_0"`) and
its Storage Queue subscriptions deliver each event in that schema, one event per queue message. The
event type is the event's name (what each subscription's `included_event_types` filters on), the source
its module's source; the data is the envelope the AWS flavour publishes as EventBridge `detail`, so the
workers read the same fields on every cloud. EventGridPublisher sends them to the topic with the
function app's managed identity (the topic takes Entra ID only).

Trace context: a CloudEvent published inside `traced(traceparent)` carries that W3C `traceparent` as
the CloudEvents distributed-tracing extension attribute, which Event Grid delivers unchanged; the worker
reads it back (azure_apps/tracing.py), so the hops of one trace share its trace id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..domain.events import DomainEvent

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

SPEC_VERSION = "1.0"
# Event Grid's data-plane API version for publishing, and the token audience of its Entra ID auth.
API_VERSION = "2018-01-01"
EVENT_GRID_SCOPE = "https://eventgrid.azure.net/.default"
# A publish request carries at most 1 MB; events are sent in batches well under it.
BATCH_EVENTS = 100
# W3C Trace Context's traceparent, version 00: trace id, parent span id (neither all zeros), flags.
_TRACEPARENT = re.compile(r"00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}")
_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)


def valid_traceparent(value: object) -> str | None:
    """`value` if it is a W3C traceparent (version 00), else None: a malformed one is never passed on."""
    if isinstance(value, str) and _TRACEPARENT.fullmatch(value):
        return value
    return None


@contextmanager
def traced(traceparent: str | None) -> Iterator[None]:
    """Every CloudEvent built inside the block carries `traceparent` (none if it is not a valid one)."""
    token = _traceparent.set(valid_traceparent(traceparent))
    try:
        yield
    finally:
        _traceparent.reset(token)


def cloud_event(event: DomainEvent) -> dict[str, Any]:
    """The CloudEvent the topic takes for `event` (its id is the event id, so a republish is deduplicable)."""
    carried: dict[str, Any] = {
        "specversion": SPEC_VERSION,
        "id": event.event_id,
        "type": event.name,
        "source": event.source,
        "time": event.occurred_at.isoformat(),
        "datacontenttype": "application/json",
        "data": event.envelope(),
    }
    traceparent = _traceparent.get()
    if traceparent is not None:
        carried["traceparent"] = traceparent
    return carried


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


class EventGridPublisher:
    """Publishes domain events to the custom topic as CloudEvents, in batches, in the order given.

    `endpoint`: the topic's endpoint (the app setting EVENT_TOPIC_ENDPOINT). A refusal raises
    (HttpResponseError), so the outbox relay keeps the entry for its next run. `https_only=False` is
    for a local test server only.
    """

    def __init__(self, endpoint: str, credential: TokenCredential, *, https_only: bool = True) -> None:
        from azure.core import PipelineClient
        from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy

        self.endpoint = endpoint
        self._https_only = https_only
        self._client: PipelineClient[Any, Any] = PipelineClient(
            base_url=endpoint,
            policies=[RetryPolicy(retry_total=2), BearerTokenCredentialPolicy(credential, EVENT_GRID_SCOPE)],
        )

    def publish(self, events: Sequence[DomainEvent]) -> None:
        from azure.core.rest import HttpRequest

        for start in range(0, len(events), BATCH_EVENTS):
            request = HttpRequest(
                "POST",
                self.endpoint,
                params={"api-version": API_VERSION},
                headers={"Content-Type": "application/cloudevents-batch+json; charset=utf-8"},
                content=json.dumps([cloud_event(event) for event in events[start : start + BATCH_EVENTS]]),
            )
            response = self._client.send_request(request, enforce_https=self._https_only)
            response.raise_for_status()
