"""The sessions' scheduled jobs as every cloud runs them: a run's metrics and its summary's log line.

The Lambda handlers (handlers/session_cleanup.py, retention_purge.py) and the Cloud Run functions
(gcp/session_cleanup.py, retention_purge.py) each make the run and the time budget their way, then call
these. The ledger's jobs: ledger_jobs.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..observability import add_metric, get_logger

if TYPE_CHECKING:
    from ..domain.jobs import JobRun, RetentionPurgeJob, SessionCleanupJob
    from ..ports.scheduled_jobs import TimeBudget


def clean_up_sessions(job: SessionCleanupJob, run: JobRun, budget: TimeBudget) -> dict[str, Any]:
    """End the idle sessions; add the metric and log the summary (returned as the log's fields)."""
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


def purge_sessions(job: RetentionPurgeJob, budget: TimeBudget) -> dict[str, Any]:
    """Purge what the retention allows; add the metric and log the summary."""
    summary = job.run(budget)
    add_metric("SessionsPurged", summary.purged)
    fields = summary.as_log()
    if summary.complete:
        get_logger().info("retention purge run", extra=fields)
    else:
        get_logger().warning("retention purge stopped before the timeout; the next run goes on", extra=fields)
    return fields
