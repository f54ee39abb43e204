"""The sessions' scheduled jobs' runs on every cloud: the job, its metrics and its summary line.

Each cloud's entry point (AWS: handlers/session_cleanup.py and handlers/retention_purge.py; Azure:
azure_apps/jobs.py) builds the job on its stores, starts the run and gives it its time budget; what a
run does with them is here. The ledger's jobs: ledger_jobs.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..observability import add_metric, get_logger

if TYPE_CHECKING:
    from ..domain.jobs import JobRun, RetentionPurgeJob, SessionCleanupJob
    from ..ports.scheduled_jobs import TimeBudget

# Kept back from the function's timeout: a job takes no new work once less than this is left, so it
# can finish the item in hand, log its summary and flush its metrics before the platform stops it.
RESERVE_SECONDS = 30.0


class DeadlineBudget:
    """Spent when less than `reserve_seconds` is left of `seconds` from its making (a run's timeout)."""

    def __init__(
        self,
        seconds: float,
        reserve_seconds: float = RESERVE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self._stop_at = monotonic() + seconds - reserve_seconds

    def exhausted(self) -> bool:
        return self._monotonic() >= self._stop_at


def run_session_cleanup(job: SessionCleanupJob, run: JobRun, budget: TimeBudget) -> dict[str, Any]:
    """End the idle sessions; add the metric and log the summary, which is returned."""
    summary = job.run(run, budget)
    add_metric("IdleSessionsEnded", summary.ended)
    fields = summary.as_log()
    if summary.complete:
        get_logger().info("stale-session cleanup run", extra=fields)
    else:
        get_logger().warning(
            "stale-session cleanup stopped before the timeout; the next run goes on", extra=fields
        )
    return fields


def run_retention_purge(job: RetentionPurgeJob, budget: TimeBudget) -> dict[str, Any]:
    """Purge what the retention allows; add the metric and log the summary, which is returned."""
    summary = job.run(budget)
    add_metric("SessionsPurged", summary.purged)
    fields = summary.as_log()
    if summary.complete:
        get_logger().info("retention purge run", extra=fields)
    else:
        get_logger().warning("retention purge stopped before the timeout; the next run goes on", extra=fields)
    return fields
