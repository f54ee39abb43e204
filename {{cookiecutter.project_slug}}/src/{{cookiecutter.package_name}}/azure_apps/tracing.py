"""W3C trace context across the queue hops, without an OpenTelemetry SDK in the worker.

The Functions host traces every invocation itself (host.json's `telemetryMode`: OpenTelemetry, exported
to Application Insights) and hands the worker the invocation's `traceparent` (`context.trace_context`).
A storage queue message has no headers, so the trace context rides in the message: every CloudEvent an
invocation publishes carries its traceparent (adapters/event_grid.py), Event Grid delivers it unchanged
to the worker's queue, and the worker runs under the trace it names. Inside `invocation_trace`, each log
line carries `trace_id` (Application Insights' operation id of the trace) and `traceparent`, and each
event published carries the same trace on to the next hop; `correlation_id` rides in the event's data.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from ..adapters.event_grid import traced, valid_traceparent
from ..observability import get_logger


def host_traceparent(context: object) -> str | None:
    """The invocation's traceparent the host gives (`context.trace_context.trace_parent`), if valid."""
    return valid_traceparent(getattr(getattr(context, "trace_context", None), "trace_parent", None))


def message_traceparent(body: str | bytes) -> str | None:
    """The traceparent a delivered CloudEvent carries, if it is a valid one."""
    try:
        delivered = json.loads(body)
    except ValueError:
        return None
    return valid_traceparent(delivered.get("traceparent")) if isinstance(delivered, dict) else None


def new_traceparent() -> str:
    """A new trace, sampled: for a run the host gave no trace context."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


@contextmanager
def invocation_trace(traceparent: str | None) -> Iterator[None]:
    """Log lines and published events of the block under `traceparent` (none if it is not a valid one)."""
    valid = valid_traceparent(traceparent)
    logger = get_logger()
    logger.append_keys(trace_id=None if valid is None else valid[3:35], traceparent=valid)
    try:
        with traced(valid):
            yield
    finally:
        logger.append_keys(trace_id=None, traceparent=None)
