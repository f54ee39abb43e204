"""Logging and correlation ids.

Logs carry ids and outcomes only: never request bodies or personal data. Powertools is imported
on first use so that importing the package stays cheap on a cold start.
"""

from __future__ import annotations

import os
import re
import threading
from typing import TYPE_CHECKING

from .settings import PACKAGE

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

CORRELATION_ID_HEADER = "x-correlation-id"
# Anything else (too long, spaces, control characters) is replaced, so a caller cannot forge log lines.
_CORRELATION_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:=-]{0,127}$")

_logger: Logger | None = None
_logger_lock = threading.Lock()


def get_logger() -> Logger:
    """The process-wide Powertools Logger (JSON lines; service name from POWERTOOLS_SERVICE_NAME)."""
    global _logger  # one logger per process, created on first use
    if _logger is None:
        with _logger_lock:
            if _logger is None:
                from aws_lambda_powertools import Logger

                _logger = Logger(
                    service=os.environ.get("POWERTOOLS_SERVICE_NAME") or PACKAGE,
                    level=os.environ.get("LOG_LEVEL") or "INFO",
                )
    return _logger


def valid_correlation_id(value: object) -> str | None:
    """`value` if it is a usable correlation id, else None."""
    if isinstance(value, str) and _CORRELATION_ID_RE.match(value):
        return value
    return None


def correlation_id_or(value: object, fallback: str) -> str:
    """The caller's correlation id if it is valid, else `fallback` (e.g. the API request id)."""
    return valid_correlation_id(value) or fallback
