"""The sessionCleanup function: ends sessions with no heartbeat for longer than the idle timeout.

Cloud Scheduler calls it every 15 minutes (infra/modules/scheduled_jobs); each session is ended through
the sessions domain, so SessionUpdated (status ended) goes to the sessions topic as on a sign-out, with
the run's correlation id. An ended session is left alone: a retried call ends nothing twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.jobs import JobRun
from ..gcp_scheduled import DeadlineBudget, ScheduledCall, answer
from ..workers.jobs import run_session_cleanup

if TYPE_CHECKING:
    from flask import Request

    from ..domain.jobs import SessionCleanupJob

_job: SessionCleanupJob | None = None


def session_cleanup(request: Request) -> tuple[dict[str, Any], int]:
    """The sessionCleanup function (functions-framework, signature type http): one scheduled call."""
    from ..settings import SystemClock

    budget = DeadlineBudget.from_env()

    def step(call: ScheduledCall) -> dict[str, Any]:
        run = JobRun(call.correlation_id, call.scheduled_at)
        return run_session_cleanup(_cleanup_job(), run, budget)

    return answer("stale-session cleanup", request.headers, SystemClock(), step)


def _cleanup_job() -> SessionCleanupJob:
    """The job on GCP, built on the first call and reused while the instance lives."""
    global _job  # one set of clients per instance
    if _job is None:
        from datetime import timedelta

        from ..adapters.firestore_jobs import FirestoreSessionHousekeeping
        from ..adapters.firestore_sessions import FirestoreSessionStore
        from ..adapters.gcp_clients import database, event_publisher, firestore_client, gcp_settings
        from ..domain.jobs import SessionCleanupJob
        from ..domain.sessions import SessionService
        from ..settings import SystemClock
        from ..settings_scheduled_jobs import JobsSettings

        clock = SystemClock()
        store = FirestoreSessionStore(database(), firestore_client())
        sessions = SessionService(store, event_publisher(), clock, f"{gcp_settings().event_source}.sessions")
        _job = SessionCleanupJob(
            sessions,
            store,
            FirestoreSessionHousekeeping(firestore_client()),
            clock,
            timedelta(minutes=JobsSettings.from_env().session_idle_timeout_minutes),
        )
    return _job
