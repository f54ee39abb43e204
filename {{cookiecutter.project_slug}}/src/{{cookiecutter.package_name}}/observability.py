"""Logs, metrics and correlation ids, with Powertools for AWS Lambda (from its public layer).

Logs carry ids and outcomes only: never request bodies or personal data. Every log line of a request
or a worker record carries its `correlation_id`. Metrics are CloudWatch embedded-metric-format (EMF)
log lines: no API call and no IAM permission, and CloudWatch turns them into metrics.

Powertools is imported on first use, so importing the package stays cheap on a cold start. Tracing is
Lambda's active tracing (serverless.yml, provider.tracing): one segment per invocation at no import
cost. Powertools' Tracer is not used: it loads the X-Ray SDK (about 0.3 s on a cold start) to add
subsegments per AWS call; docs/security-defaults.md says how to turn it on.
"""

from __future__ import annotations

import gc
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .settings import PACKAGE

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.metrics import Metrics

CORRELATION_ID_HEADER = "x-correlation-id"
# Anything else (too long, spaces, control characters) is replaced, so a caller cannot forge log lines.
_CORRELATION_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=-]{0,127}")

_logger: Logger | None = None
_metrics: Metrics | None = None
_pending_metrics = False
_lock = threading.Lock()


def get_logger() -> Logger:
    """The process-wide Powertools Logger (JSON lines; service name from POWERTOOLS_SERVICE_NAME)."""
    global _logger  # one logger per process, created on first use
    if _logger is None:
        with _lock:
            if _logger is None:
                with paused_collector():
                    from aws_lambda_powertools import Logger

                    _logger = Logger(service=_service(), level=os.environ.get("LOG_LEVEL") or "INFO")
    return _logger


def set_correlation_id(value: str | None) -> None:
    """Put `correlation_id` on every following log line (until set again)."""
    get_logger().set_correlation_id(value)


def bind_invocation(context: object) -> None:
    """Put the Lambda request id on every log line of this invocation (workers and jobs)."""
    get_logger().append_keys(function_request_id=getattr(context, "aws_request_id", None))


def add_metric(name: str, value: float = 1, unit: str = "Count") -> None:
    """Add to a metric of this invocation; flush_metrics writes them as one EMF line."""
    global _pending_metrics  # one metric set per process, flushed per invocation
    _metrics_instance().add_metric(name=name, unit=unit, value=value)
    _pending_metrics = True


def add_money_metric(name: str, minor_units: int, currency: str) -> None:
    """A money metric in minor units, per currency (amounts of two currencies never add up)."""
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
