"""Pub/Sub adapter: domain events onto their module's topic (infra/events.tf makes one topic per module).

Each message's data is the event's envelope (the same JSON as the AWS flavour's EventBridge detail);
its attributes carry what subscriptions filter on and route by: `type` (the event's name), `source`,
`event_id` and `correlation_id`, plus the detail fields named in FILTERED_FIELDS (the audit trail's
subscription takes a SessionUpdated only when its `status` is `ended`). A player's events carry the
player id as their ordering key, so a subscription with message ordering gets them in order. Events
published while a request or pushed event is handled carry its trace context as the `traceparent`
attribute, which the push worker logs under (gcp_push.py, observability.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..domain.audit import AuditRecord
from ..domain.events import DomainEvent
from ..gcp_trace import current_traceparent

# Sources with no module of their own publish on the `core` topic (infra/events.tf).
CORE_SOURCES = ("api", "deployment")
# Detail fields copied into attributes because a subscription filter reads them (manifest audit_events).
FILTERED_FIELDS = ("status",)
PUBLISH_TIMEOUT_SECONDS = 30


class PublishFailed(RuntimeError):
    """Pub/Sub refused some messages; `failures` lists (event name, event id, error)."""

    def __init__(self, failures: list[tuple[str, str, str]]) -> None:
        super().__init__(f"{len(failures)} event(s) were not published: {failures}")
        self.failures = failures


def topic_key(source: str) -> str:
    """The topic an event source publishes on: its module (`<package>.<module>`), or `core`."""
    key = source.rsplit(".", 1)[-1]
    return "core" if key in CORE_SOURCES else key


def attributes(event: DomainEvent) -> dict[str, str]:
    """The message attributes subscriptions filter on (Pub/Sub attributes are strings)."""
    found = {
        "type": event.name,
        "source": topic_key(event.source),
        "event_id": event.event_id,
        "correlation_id": event.correlation_id,
    }
    found.update({name: str(event.detail[name]) for name in FILTERED_FIELDS if name in event.detail})
    return found


class PubSubPublisher:
    """Publishes each DomainEvent on the topic of its source's module; waits until Pub/Sub has them all."""

    def __init__(self, topics: Mapping[str, str], client: Any | None = None) -> None:
        """`topics`: topic key -> full topic path (`projects/<p>/topics/<t>`), as in EVENT_TOPICS."""
        self.topics = dict(topics)
        self._client = client

    @property
    def client(self) -> Any:
        """The Pub/Sub publisher, made on first use (the import costs cold start only where it is used)."""
        if self._client is None:
            from google.cloud import pubsub_v1

            self._client = pubsub_v1.PublisherClient(
                publisher_options=pubsub_v1.types.PublisherOptions(enable_message_ordering=True)
            )
        return self._client

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Send every event; raise PublishFailed naming those Pub/Sub did not accept (or had no topic)."""
        failures: list[tuple[str, str, str]] = []
        pending = []
        traceparent = current_traceparent()
        traced = {"traceparent": traceparent} if traceparent else {}
        for event in events:
            topic = self.topics.get(topic_key(event.source))
            if topic is None:
                failures.append((event.name, event.event_id, f"no topic for source {event.source!r}"))
                continue
            data = json.dumps(event.envelope(), default=str).encode()
            ordering_key = str(event.detail.get("player_id", ""))
            message_attributes = {**attributes(event), **traced}
            future = self.client.publish(topic, data, ordering_key=ordering_key, **message_attributes)
            pending.append((event, topic, ordering_key, future))
        for event, topic, ordering_key, future in pending:
            try:
                future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
            except Exception as error:  # any publish error is reported with its event, none is lost silently
                failures.append((event.name, event.event_id, f"{type(error).__name__}: {error}"))
                if ordering_key:
                    # A failed ordered publish pauses its key; resume it so the retry can go out.
                    self.client.resume_publish(topic, ordering_key)
        if failures:
            raise PublishFailed(failures)


def from_environment(value: str) -> PubSubPublisher:
    """The publisher for EVENT_TOPICS (a JSON object: topic key -> topic path)."""
    topics = json.loads(value)
    if not isinstance(topics, dict) or not all(isinstance(v, str) for v in topics.values()):
        raise ValueError("EVENT_TOPICS must be a JSON object of topic key -> projects/<p>/topics/<t>")
    return PubSubPublisher(topics)


class PubSubMessages:
    """Sends text bodies to one topic and waits until Pub/Sub has each (the outbox's dead letters)."""

    def __init__(self, topic: str, client: Any | None = None) -> None:
        """`topic`: the full topic path (`projects/<p>/topics/<t>`)."""
        self.topic = topic
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from google.cloud import pubsub_v1

            self._client = pubsub_v1.PublisherClient()
        return self._client

    def send(self, body: str, **attributes: str) -> None:
        """Publish `body` with `attributes` (what subscriptions filter on) and wait for Pub/Sub's id."""
        self.client.publish(self.topic, body.encode(), **attributes).result(timeout=PUBLISH_TIMEOUT_SECONDS)


class PubSubAuditArchiveQueue:
    """Hands audit records to the archive's topic (AUDIT_ARCHIVE_TOPIC), one message per hand-over, in
    the body the AWS archive queue carries (`{"records": [...]}`): the auditArchive worker writes them
    to the write-once bucket."""

    def __init__(self, topic: str, client: Any | None = None) -> None:
        self.messages = PubSubMessages(topic, client)

    def store(self, records: Sequence[AuditRecord]) -> None:
        self.messages.send(json.dumps({"records": [record.to_json() for record in records]}, sort_keys=True))
