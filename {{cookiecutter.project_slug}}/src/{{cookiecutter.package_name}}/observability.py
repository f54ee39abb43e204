"""Logs, metrics and correlation ids, with Powertools for AWS Lambda (from its public layer).

Logs carry ids and outcomes only: never request bodies or personal data. Every log line of a request
or a worker record carries its `correlation_id`. Metrics are CloudWatch embedded-metric-format (EMF)
log lines: no API call and no IAM permission, and CloudWatch turns them into metrics.

Powertools is imported on first use, so importing the package stays cheap on a cold start. Where it
is not installed (GCP and Azure: it is AWS's layer, not in their runtime locks), the log is JSON lines
on stdout (JsonLinesLogger; Cloud Logging reads their `severity`) and metrics are JSON log lines too.
Tracing is Lambda's active tracing (serverless.yml, provider.tracing): one segment per invocation at no
import cost. Powertools' Tracer is not used: it loads the X-Ray SDK (about 0.3 s on a cold start) to add
subsegments per AWS call; docs/security-defaults.md says how to turn it on.

On GCP, Cloud Run records each request's trace itself; the log joins it without a tracing SDK: the front
door, a push worker and a scheduled job hand their request's trace context (W3C `traceparent`, else
`X-Cloud-Trace-Context`; a pushed event's `traceparent` attribute) to `set_trace`, and every JSON line
then carries Cloud Logging's trace fields (TRACE_FIELD, SPAN_FIELD, SAMPLED_FIELD). The Pub/Sub
publisher sends the current trace on with each event, and the wallet's outbox keeps it with the entry's
events. Why no tracing SDK: docs/security-defaults.md.
"""

from __future__ import annotations

import functools
import gc
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, cast

from .settings import PACKAGE

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.metrics import Metrics

CORRELATION_ID_HEADER = "x-correlation-id"
# Anything else (too long, spaces, control characters) is replaced, so a caller cannot forge log lines.
_CORRELATION_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=-]{0,127}")

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

_logger: Logger | None = None
_metrics: Metrics | None = None
_pending_metrics = False
# Without Powertools (GCP, Azure): the invocation's metrics, written as one JSON log line by flush_metrics.
_log_metrics: dict[str, float] = {}
_lock = threading.Lock()


def get_logger() -> Logger:
    """The process-wide Powertools Logger (JSON lines; service name from POWERTOOLS_SERVICE_NAME)."""
    global _logger  # one logger per process, created on first use
    if _logger is None:
        with _lock:
            if _logger is None:
                with paused_collector():
                    _logger = _new_logger(os.environ.get("LOG_LEVEL") or "INFO")
    return _logger


def _new_logger(level: str) -> Logger:
    try:
        from aws_lambda_powertools import Logger
    except ImportError:  # GCP and Azure: Powertools is AWS's layer, not in their runtime lock
        return cast("Logger", JsonLinesLogger(_service(), level))
    return Logger(service=_service(), level=level)


def set_correlation_id(value: str | None) -> None:
    """Put `correlation_id` on every following log line (until set again)."""
    get_logger().set_correlation_id(value)


def bind_invocation(context: object) -> None:
    """Put the Lambda request id on every log line of this invocation (workers and jobs)."""
    get_logger().append_keys(function_request_id=getattr(context, "aws_request_id", None))


def add_metric(name: str, value: float = 1, unit: str = "Count") -> None:
    """Add to a metric of this invocation; flush_metrics writes them as one EMF line."""
    global _pending_metrics  # one metric set per process, flushed per invocation
    if not _has_powertools():
        _log_metrics[name] = _log_metrics.get(name, 0) + value
        return
    _metrics_instance().add_metric(name=name, unit=unit, value=value)
    _pending_metrics = True


def add_money_metric(name: str, minor_units: int, currency: str) -> None:
    """A money metric in minor units, per currency (amounts of two currencies never add up)."""
    if not _has_powertools():
        get_logger().info("metric", extra={"metric": name, "value": minor_units, "currency": currency})
        return
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(
        name=name,
        unit=MetricUnit.NoUnit,
        value=minor_units,
        namespace=_namespace(),
        default_dimensions={"service": _service()},
    ) as metric:
        metric.add_dimension(name="currency", value=currency)


def flush_metrics() -> None:
    """Write the invocation's metrics (if any) as one EMF log line."""
    global _pending_metrics  # one metric set per process, flushed per invocation
    if _pending_metrics and _metrics is not None:
        _metrics.flush_metrics()
    _pending_metrics = False
    if _log_metrics:
        get_logger().info("metrics", extra={"metrics": dict(_log_metrics)})
        _log_metrics.clear()


def valid_correlation_id(value: object) -> str | None:
    """`value` if it is a usable correlation id, else None."""
    if isinstance(value, str) and _CORRELATION_ID_RE.fullmatch(value):
        return value
    return None


def correlation_id_or(value: object, fallback: str) -> str:
    """The caller's correlation id if it is valid, else `fallback` (e.g. the API request id)."""
    return valid_correlation_id(value) or fallback


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


def _metrics_instance() -> Metrics:
    global _metrics  # one metric set per process
    if _metrics is None:
        with _lock:
            if _metrics is None:
                with paused_collector():
                    from aws_lambda_powertools.metrics import Metrics

                    _metrics = Metrics(service=_service(), namespace=_namespace())
    return _metrics


def _service() -> str:
    return os.environ.get("POWERTOOLS_SERVICE_NAME") or PACKAGE


def _namespace() -> str:
    return os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or PACKAGE


@contextmanager
def paused_collector() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a cold start builds what lives as long as the process.

    Importing an SDK and building its clients allocates a few hundred thousand objects (modules,
    classes, service models) that are never garbage; every collection the allocations trigger walks
    them all again. At the end of the block they are moved to the collector's permanent generation
    (gc.freeze), so no later collection walks them either, and the collector runs again as
    configured. Reference counting frees memory as usual throughout (docs/benchmarks.md).
    """
    if not gc.isenabled():  # already paused by an enclosing block, or by the caller
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@functools.cache
def _has_powertools() -> bool:
    import importlib.util

    return importlib.util.find_spec("aws_lambda_powertools") is not None


class JsonLinesLogger:
    """The log where Powertools is not installed (GCP, Azure): one JSON object per line on stdout, the
    calls the code makes of Powertools' Logger, and `severity` and the trace fields, which Cloud Logging
    reads (the project from GOOGLE_CLOUD_PROJECT, which infra/ gives every function)."""

    def __init__(self, service: str, level: str) -> None:
        import logging  # here, not at the top: AWS cold starts never build this logger

        self.keys: dict[str, Any] = {"service": service}
        number = logging.getLevelName(level.upper())
        self.level: int = number if isinstance(number, int) else logging.INFO

    def set_correlation_id(self, value: str | None) -> None:
        self.append_keys(correlation_id=value)

    def append_keys(self, **keys: Any) -> None:
        self.keys.update(keys)

    def debug(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._write(10, "DEBUG", message, extra)

    def info(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._write(20, "INFO", message, extra)

    def warning(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._write(30, "WARNING", message, extra)

    def error(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._write(40, "ERROR", message, extra)

    def exception(self, message: str, extra: dict[str, Any] | None = None) -> None:
        self._write(40, "ERROR", message, {**(extra or {}), "exception": repr(sys.exc_info()[1])})

    def _write(self, level: int, severity: str, message: str, extra: dict[str, Any] | None) -> None:
        import json

        if level < self.level:
            return
        line = {"severity": severity, "message": message, **self.keys, **(extra or {})}
        line.update(trace_fields(_trace.get(), os.environ.get("GOOGLE_CLOUD_PROJECT")))
        sys.stdout.write(json.dumps(line, default=str) + "\n")
        sys.stdout.flush()
