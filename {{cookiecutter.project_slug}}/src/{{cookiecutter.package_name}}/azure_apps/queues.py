"""What the queue-triggered functions share: the event in a message, and how a message is handled.

Event Grid delivers each event to the worker's Storage Queue as a CloudEvent (adapters/event_grid.py):
its `type` is the event's name, its `data` the envelope the workers read (EventBridge's `detail` on
AWS). The host runs the function once per message: returning deletes the message; raising leaves it
to be retried after host.json's visibilityTimeout, and after maxDequeueCount receives the host moves
it to `<queue>-poison` (a malformed message never blocks the others). The event's trace context comes
with it (azure_apps/tracing.py): the worker's log lines and the events it publishes carry that trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ..observability import get_logger, set_correlation_id
from ..worker_events import BusEvent, MalformedEvent
from .tracing import invocation_trace, message_traceparent


def bus_event_of(body: str | bytes) -> BusEvent:
    """The event in a queue message Event Grid delivered; MalformedEvent if the body is not one."""
    try:
        delivered = json.loads(body)
        name = delivered["type"]
        data = delivered["data"]
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedEvent("the message is not an Event Grid CloudEvent") from error
    if not isinstance(name, str) or not isinstance(data, dict):
        raise MalformedEvent("the CloudEvent has no type or no data object")
    return BusEvent(name, data)


def handle(body: str | bytes, apply: Callable[[BusEvent], object], label: str) -> object:
    """Apply the message's event under its correlation id; logged as `label` with its outcome.

    A failure is logged as "`label` failed" and raised again: the host retries, then poisons.
    """
    with invocation_trace(message_traceparent(body)):
        try:
            event = bus_event_of(body)
            set_correlation_id(event.correlation_id)
            outcome = apply(event)
        except Exception:
            get_logger().exception(f"{label} failed")
            raise
        else:  # before the correlation id is cleared: the outcome's line carries it too
            get_logger().info(label, extra={"outcome": outcome})
        finally:
            set_correlation_id(None)
    return outcome
