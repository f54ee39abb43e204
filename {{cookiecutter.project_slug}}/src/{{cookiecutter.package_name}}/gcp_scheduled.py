"""Cloud Scheduler calls to the GCP jobs: the run a call starts, its time budget, and the answer.

infra/blocks/job has Cloud Scheduler POST to the job's function with an OIDC token of the job's own
caller identity (checked by Cloud Run before the function runs). The call carries the scheduled moment
(`X-CloudScheduler-ScheduleTime`, RFC 3339 UTC) and the job's name (`X-CloudScheduler-JobName`); a
retried call keeps both, so its run has the same correlation id and the events it publishes are the
same. A run by hand (an authenticated POST) may send a JSON object as input (the data export reads
`{"date": "YYYY-MM-DD"}`); it runs at the clock's time under an id of its own.

The answer is the run's outcome: 200 with the summary, 400 an input that names its field, 500 a
failure (an exception): Cloud Scheduler retries the call (infra/blocks/job's retry_config).
The run's log lines, and the events it publishes, carry the trace Cloud Run records for the call (its
`traceparent` or X-Cloud-Trace-Context header: observability.py).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .ports import Clock

OK = 200
BAD_INPUT = 400
# Kept back from the function's timeout: a job takes no new work once less than this is left, so it
# can finish the item in hand and log its summary before Cloud Run stops it (as on Lambda).
RESERVE_SECONDS = 30.0
# The function's timeout (infra/blocks/job sets JOB_TIMEOUT_SECONDS from its timeout_seconds).
DEFAULT_TIMEOUT_SECONDS = 300


@dataclass(frozen=True, slots=True)
class ScheduledCall:
    """One call of a job: the id its log lines and events carry, and the moment it was scheduled for.

    A job's JobRun (domain/jobs.py, a scheduled_jobs file) is made from it: the audit chain's check is
    called the same way in every project.
    """

    correlation_id: str
    scheduled_at: datetime


class CallHeaders(Protocol):
    """The call's headers (the request's, or a dict in a test): a value by name, None if absent."""

    def get(self, key: str) -> str | None: ...


class DeadlineBudget:
    """Spent when less than `reserve` seconds are left of `timeout` seconds since it was made."""

    def __init__(
        self,
        timeout: float,
        reserve: float = RESERVE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self._deadline = monotonic() + timeout - reserve

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> DeadlineBudget:
        """The budget of this call: the function's timeout (JOB_TIMEOUT_SECONDS) from now."""
        raw = environ.get("JOB_TIMEOUT_SECONDS", "").strip() or str(DEFAULT_TIMEOUT_SECONDS)
        if not raw.isdigit() or not 1 <= int(raw) <= 3600:
            raise ValueError(f"JOB_TIMEOUT_SECONDS is {raw!r}; give the function's timeout in whole seconds")
        return cls(float(raw))

    def exhausted(self) -> bool:
        return self._monotonic() >= self._deadline


def scheduled_run(headers: CallHeaders, clock: Clock) -> ScheduledCall:
    """The run a call starts: Cloud Scheduler's scheduled moment and an id made from it and the job's
    name (a retried call gets the same); without them (a run by hand), the clock's time and a new id."""
    scheduled_at = _scheduled_time(headers.get("X-CloudScheduler-ScheduleTime"))
    job = headers.get("X-CloudScheduler-JobName") or ""
    if scheduled_at is None:
        return ScheduledCall(correlation_id=uuid.uuid4().hex, scheduled_at=clock.now())
    name = f"{job}@{scheduled_at.isoformat()}"
    return ScheduledCall(correlation_id=uuid.uuid5(uuid.NAMESPACE_URL, name).hex, scheduled_at=scheduled_at)


def job_input(body: object) -> dict[str, Any]:
    """The run's input: the call's JSON object, or nothing (Cloud Scheduler's calls send no body)."""
    return body if isinstance(body, dict) else {}


def answer(
    label: str,
    request_headers: CallHeaders,
    clock: Clock,
    step: Callable[[ScheduledCall], dict[str, Any]],
    refusals: tuple[type[Exception], ...] = (),
) -> tuple[dict[str, Any], int]:
    """Run the job's step under the run's correlation id: 200 and the summary's fields, or 400 for an
    input the step refused (one of `refusals`, naming the field); any other exception propagates
    (functions-framework answers 500, Cloud Scheduler retries)."""
    from .gcp_trace import set_trace, trace_of
    from .observability import flush_metrics, get_logger, set_correlation_id

    run = scheduled_run(request_headers, clock)
    set_correlation_id(run.correlation_id)
    set_trace(trace_of(request_headers))
    try:
        return step(run), OK
    except refusals as refused:
        get_logger().warning(f"{label} refused its input", extra={"error": str(refused)})
        return {"error": str(refused)}, BAD_INPUT
    finally:
        flush_metrics()
        set_correlation_id(None)
        set_trace(None)


def _scheduled_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
