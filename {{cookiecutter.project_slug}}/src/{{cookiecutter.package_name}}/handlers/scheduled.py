"""What the scheduled jobs' entry points share: the run a schedule starts, and its time budget.

An EventBridge schedule invokes the function with a scheduled event (`id`, `time`, detail-type
"Scheduled Event"); a run started by hand, or by a schedule target with its own input, gets that
input instead (the data export reads `{"date": "YYYY-MM-DD"}` from it).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..domain.jobs import JobRun
from ..observability import valid_correlation_id
from ..workers.jobs import RESERVE_SECONDS

if TYPE_CHECKING:
    from ..ports import Clock

# Kept back from the function's timeout (workers/jobs.py says why).
RESERVE_MILLISECONDS = int(RESERVE_SECONDS * 1000)


class LambdaTimeBudget:
    """Spent when the invocation has less than `reserve_ms` left (never, outside Lambda)."""

    def __init__(self, context: object, reserve_ms: int = RESERVE_MILLISECONDS) -> None:
        self._remaining = getattr(context, "get_remaining_time_in_millis", None)
        self._reserve_ms = reserve_ms

    def exhausted(self) -> bool:
        if self._remaining is None:
            return False
        remaining: int = self._remaining()
        return remaining < self._reserve_ms


def scheduled_run(event: object, context: object, clock: Clock) -> JobRun:
    """The run: the scheduled event's id as its correlation id and its time as the scheduled moment.

    Without a scheduled event (a run by hand), the Lambda request id and the clock's time. A retried
    invocation of one scheduled event keeps its id and time, so the events it publishes are the same.
    """
    fields: dict[str, Any] = event if isinstance(event, dict) else {}
    correlation_id = (
        valid_correlation_id(fields.get("id"))
        or valid_correlation_id(getattr(context, "aws_request_id", None))
        or uuid.uuid4().hex
    )
    return JobRun(
        correlation_id=correlation_id, scheduled_at=_scheduled_time(fields.get("time")) or clock.now()
    )


def _scheduled_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
