"""Deletes session records that ended longer ago than the jurisdiction's retention, daily at 00:45 UTC.

Only session records: ledger entries are kept forever (the money rules), the audit trail is write-once,
and the sessions' activity markers expire by TTL. The retention comes from the jurisdiction this
project was generated for (compliance.RETENTION_YEARS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.jobs import RetentionPurgeJob
from ..observability import bind_invocation, flush_metrics, set_correlation_id
from ..workers.scheduled_jobs import purge_sessions
from .scheduled import LambdaTimeBudget, scheduled_run

if TYPE_CHECKING:
    from ..ports import Clock

_job: RetentionPurgeJob | None = None


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point (EventBridge schedule)."""
    from ..settings import SystemClock

    bind_invocation(context)
    try:
        return run(event, context, _purge_job(), SystemClock())
    finally:
        flush_metrics()
        set_correlation_id(None)


def run(event: dict[str, Any], context: object, job: RetentionPurgeJob, clock: Clock) -> dict[str, Any]:
    """Purge what the retention allows; add the metric and log the summary."""
    job_run = scheduled_run(event, context, clock)
    set_correlation_id(job_run.correlation_id)
    return purge_sessions(job, LambdaTimeBudget(context))


def _purge_job() -> RetentionPurgeJob:
    """The job on AWS, built on the first invocation and reused while the container lives."""
    global _job  # one set of clients per container
    if _job is None:
        from ..adapters.dynamodb_jobs import DynamoSessionHousekeeping
        from ..compliance import RETENTION_YEARS
        from ..settings import Settings, SystemClock

        settings = Settings.from_env()
        _job = RetentionPurgeJob(
            DynamoSessionHousekeeping(settings.sessions_table_name), SystemClock(), RETENTION_YEARS
        )
    return _job
