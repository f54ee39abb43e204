"""Ends sessions with no heartbeat for longer than the idle timeout, every 15 minutes.

Each is ended through the sessions domain, so SessionUpdated (status ended) is published exactly as
on a sign-out, carrying the run's correlation id. An ended session is left alone: a rerun ends nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.jobs import SessionCleanupJob
from ..observability import bind_invocation, flush_metrics, set_correlation_id
from ..workers.scheduled_jobs import clean_up_sessions
from .scheduled import LambdaTimeBudget, scheduled_run

if TYPE_CHECKING:
    from ..ports import Clock

_job: SessionCleanupJob | None = None


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point (EventBridge schedule)."""
    from ..settings import SystemClock

    bind_invocation(context)
    try:
        return run(event, context, _cleanup_job(), SystemClock())
    finally:
        flush_metrics()
        set_correlation_id(None)


def run(event: dict[str, Any], context: object, job: SessionCleanupJob, clock: Clock) -> dict[str, Any]:
    """End the idle sessions; add the metric and log the summary."""
    job_run = scheduled_run(event, context, clock)
    set_correlation_id(job_run.correlation_id)
    return clean_up_sessions(job, job_run, LambdaTimeBudget(context))


def _cleanup_job() -> SessionCleanupJob:
    """The job on AWS, built on the first invocation and reused while the container lives."""
    global _job  # one set of clients per container
    if _job is None:
        from datetime import timedelta

        from ..adapters.dynamodb_jobs import DynamoSessionHousekeeping
        from ..adapters.dynamodb_sessions import DynamoSessionStore
        from ..adapters.eventbridge import EventBridgePublisher
        from ..domain.sessions import SessionService
        from ..settings import Settings, SystemClock
        from ..settings_scheduled_jobs import JobsSettings

        settings = Settings.from_env()
        jobs = JobsSettings.from_env()
        clock = SystemClock()
        store = DynamoSessionStore(settings.sessions_table_name)
        sessions = SessionService(
            store, EventBridgePublisher(settings.event_bus_name), clock, f"{settings.event_source}.sessions"
        )
        _job = SessionCleanupJob(
            sessions,
            store,
            DynamoSessionHousekeeping(settings.sessions_table_name),
            clock,
            timedelta(minutes=jobs.session_idle_timeout_minutes),
        )
    return _job
