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

On GCP, gcp_trace.py adds Cloud Logging's trace fields to every JSON line (LINE_FIELDS).
"""

from __future__ import annotations

import functools
import gc
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from .settings import PACKAGE

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.metrics import Metrics

CORRELATION_ID_HEADER = "x-correlation-id"
# Anything else (too long, spaces, control characters) is replaced, so a caller cannot forge log lines.
_CORRELATION_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=-]{0,127}")

# What else every JSON line carries: each callable's fields (gcp_trace.py adds the trace's on GCP).
LINE_FIELDS: list[Callable[[], dict[str, Any]]] = []

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
    calls the code makes of Powertools' Logger, `severity`, which Cloud Logging reads, and LINE_FIELDS."""

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
        for fields in LINE_FIELDS:
            line.update(fields())
        sys.stdout.write(json.dumps(line, default=str) + "\n")
        sys.stdout.flush()
