"""Pub/Sub push requests to the GCP workers: the event in a push, and the answer that acks or retries it.

infra/ subscribes each worker with a push subscription (wrapped messages, an OIDC token checked by
Cloud Run before the function runs) whose dead-letter policy sets a message aside after 5 attempts.
So the answer is the acknowledgement: 204 acks; 400 (a message that is not an event) and 500 (a failure
while handling it) make Pub/Sub retry, and the fifth failure sends the message to the dead-letter topic.
A worker's functions-framework target passes the request's JSON and its domain step to `answer`.
The step runs under the trace of the request that published the event (the message's `traceparent`
attribute, adapters/pubsub.py): its log lines join that trace in Cloud Logging (observability.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .gcp_trace import set_trace, trace_of
from .worker_events import BusEvent

LOGGER = logging.getLogger(__name__)
ACKNOWLEDGED = 204
NOT_AN_EVENT = 400


class MalformedPush(ValueError):
    """The push request does not carry an event this project publishes."""


@dataclass(frozen=True)
class PushedEvent:
    """One domain event as a push delivers it: its name (the `type` attribute) and its envelope."""

    name: str
    source: str
    detail: dict[str, Any]
    message_id: str
    delivery_attempt: int | None
    # The publisher's trace context (the `traceparent` attribute), if it sent a valid one.
    traceparent: str | None = None

    @property
    def correlation_id(self) -> str | None:
        value = self.detail.get("correlation_id")
        return value if isinstance(value, str) and value else None


def pushed_event(body: Any) -> PushedEvent:
    """The event in a wrapped push body; MalformedPush naming what is missing or wrong."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        raise MalformedPush("the body is not a Pub/Sub push (no message object)")
    message = body["message"]
    attributes = message.get("attributes") or {}
    name, source = attributes.get("type"), attributes.get("source")
    if not isinstance(name, str) or not name or not isinstance(source, str) or not source:
        raise MalformedPush("the message has no type or source attribute")
    try:
        detail = json.loads(base64.b64decode(str(message.get("data", "")), validate=True))
    except (binascii.Error, ValueError) as error:
        raise MalformedPush(f"the message data is not base64 JSON: {error}") from error
    if not isinstance(detail, dict) or not isinstance(detail.get("event_id"), str):
        raise MalformedPush("the message data is not an event envelope (no event_id)")
    attempt = body.get("deliveryAttempt")
    return PushedEvent(
        name=name,
        source=source,
        detail=detail,
        message_id=str(message.get("messageId", "")),
        delivery_attempt=attempt if isinstance(attempt, int) else None,
        traceparent=trace_of({"traceparent": attributes.get("traceparent")}),
    )


def answer(body: Any, handle: Callable[[PushedEvent], None]) -> tuple[str, int]:
    """Hand the pushed event to the worker's step; the HTTP answer that acks it or has it retried.

    A message that is not an event gets 400 (retried, then dead-lettered: it is kept, not dropped);
    an exception of the step propagates, so functions-framework answers 500 and Pub/Sub retries.
    """
    try:
        event = pushed_event(body)
    except MalformedPush as error:
        LOGGER.warning("push refused: %s", error)
        return f"not an event: {error}", NOT_AN_EVENT
    set_trace(event.traceparent)
    try:
        handle(event)
    finally:
        set_trace(None)
    return "", ACKNOWLEDGED


def worker_step(label: str, step: Callable[[BusEvent], object]) -> Callable[[PushedEvent], None]:
    """A worker's step (workers/<worker>.py) as `answer` takes it: the pushed event as a BusEvent, run
    under the event's correlation id, its outcome logged as `label` (ids and the outcome only)."""
    from .observability import get_logger, set_correlation_id

    def handle(event: PushedEvent) -> None:
        set_correlation_id(event.correlation_id)
        try:
            outcome = step(BusEvent(event.name, event.detail))
            get_logger().info(label, extra={"message_id": event.message_id, "outcome": outcome})
        finally:
            set_correlation_id(None)

    return handle
