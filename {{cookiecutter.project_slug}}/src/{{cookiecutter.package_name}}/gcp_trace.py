"""Trace context on GCP: each JSON log line joined to the trace Cloud Run records, without a tracing SDK.

Cloud Run records each request's trace itself. The front door, a push worker and a scheduled job hand
their request's trace context (W3C `traceparent`, else `X-Cloud-Trace-Context`; a pushed event's
`traceparent` attribute) to `set_trace`, and every JSON line then carries Cloud Logging's trace fields
(TRACE_FIELD, SPAN_FIELD, SAMPLED_FIELD; the project from GOOGLE_CLOUD_PROJECT, which infra/ gives every
function). The Pub/Sub publisher sends the current trace on with each event, and the wallet's outbox
keeps it with the entry's events. Why no tracing SDK: docs/security-defaults.md. A GCP file: the AWS
zips do not carry it.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from typing import Any

from .observability import LINE_FIELDS

# Cloud Logging's fields that join a JSON log line to a trace and a span of it.
TRACE_FIELD = "logging.googleapis.com/trace"
SPAN_FIELD = "logging.googleapis.com/spanId"
SAMPLED_FIELD = "logging.googleapis.com/trace_sampled"
# W3C trace context, version 00, lower-case hex, no all-zero id; anything else gives no trace, so a caller
# cannot forge log lines. X-Cloud-Trace-Context: TRACE_ID/SPAN_ID[;o=OPTIONS], its span id in decimal.
_TRACEPARENT_RE = re.compile(r"00-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-([0-9a-f]{2})")
_CLOUD_TRACE_RE = re.compile(r"(?!0{32})([0-9a-f]{32})/([1-9][0-9]{0,19})(?:;o=([0-9]))?")
# The trace context (a valid `traceparent`) of the request or pushed event this thread is handling.
_trace: ContextVar[str | None] = ContextVar("trace", default=None)


def trace_of(headers: Any) -> str | None:
    """The trace context in `headers` (a request's, or a message's attributes: anything with `get`) as a
    `traceparent`: the W3C `traceparent`, else `X-Cloud-Trace-Context`; None if neither is valid."""
    found = headers.get("traceparent")
    if isinstance(found, str) and _TRACEPARENT_RE.fullmatch(found):
        return found
    cloud = headers.get("X-Cloud-Trace-Context")
    matched = _CLOUD_TRACE_RE.fullmatch(cloud) if isinstance(cloud, str) else None
    if matched is None or int(matched[2]) >= 2**64:
        return None
    sampled = int(matched[3] or 0) & 1
    return f"00-{matched[1]}-{int(matched[2]):016x}-{sampled:02x}"


def set_trace(traceparent: str | None) -> None:
    """Log the following lines of this request or event under `traceparent` (None: under no trace)."""
    _trace.set(traceparent)


def current_traceparent() -> str | None:
    """The trace context this request or event is handled under, to send on with what it publishes."""
    return _trace.get()


def trace_fields(traceparent: str | None, project: str | None) -> dict[str, Any]:
    """Cloud Logging's trace fields for `traceparent` in `project`; none without both."""
    if not traceparent or not project:
        return {}
    _, trace_id, span_id, flags = traceparent.split("-")
    return {
        TRACE_FIELD: f"projects/{project}/traces/{trace_id}",
        SPAN_FIELD: span_id,
        SAMPLED_FIELD: bool(int(flags, 16) & 1),
    }


def _current_fields() -> dict[str, Any]:
    return trace_fields(_trace.get(), os.environ.get("GOOGLE_CLOUD_PROJECT"))


LINE_FIELDS.append(_current_fields)
