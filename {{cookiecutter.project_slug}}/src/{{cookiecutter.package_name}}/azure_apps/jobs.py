"""The scheduled jobs' function app: sessionCleanup and retentionPurge, and the ledger's reconciliation and
dataExport where the project has the hosted wallet (their manifest `needs`; jobs_wallet.py), each a timer
function.

Each timer reads its NCRONTAB schedule from the app setting infra/modules/scheduled_jobs declares
(SCHEDULE_<ENTRY POINT>); the host runs a timer function on one instance at a time. What a run does is
shared with AWS (workers/jobs.py, workers/ledger_jobs.py); here each job is built on the Table Storage
stores (adapters/table_jobs.py, table_ledger_jobs.py) and the exports container
(adapters/blob_exports.py), and given a time budget: the function timeout of host.json (the Flex
Consumption plan's 30 minutes when it sets none), less workers/jobs.py's reserve, counted from the
run's start. A run that stops early says so; the next one goes on. A job that fails raises: the host
logs the failure and the next schedule runs it again.

A timer takes no input: to export another day, an operator puts {"job": "dataExport", "date":
"YYYY-MM-DD"} on the queue `jobs-jobruns`, and jobRuns runs dataExport's step with that day
(workers/job_runs.py validates the message; a refused one raises before anything is written, and the
host retries it, then moves it to the poison queue).
"""

# azure-functions' trigger decorators are untyped; the functions they register are typed here.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import json
import os
import re
import uuid
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import azure.functions as func

from ..observability import flush_metrics, set_correlation_id
from ..registry import enabled
from ..workers.jobs import DeadlineBudget, run_retention_purge, run_session_cleanup

if TYPE_CHECKING:
    from ..domain.jobs import JobRun, RetentionPurgeJob, SessionCleanupJob

# The Flex Consumption plan's function timeout when host.json sets no functionTimeout.
DEFAULT_TIMEOUT_SECONDS = 30 * 60
# A run with no timeout (functionTimeout -1) still stops after a day; the next run goes on from there.
UNBOUNDED_RUN_SECONDS = 24 * 60 * 60
_TIMEOUT = re.compile(r"(?P<hours>\d{1,2}):(?P<minutes>\d{2}):(?P<seconds>\d{2})")

app = func.FunctionApp()


def function_timeout(host_json: Path | None) -> float:
    """Seconds of host.json's functionTimeout (hh:mm:ss, or -1: none); the plan's default if it sets none."""
    value = (
        None
        if host_json is None
        else json.loads(host_json.read_text(encoding="utf-8")).get("functionTimeout")
    )
    if value is None:
        return DEFAULT_TIMEOUT_SECONDS
    if value == "-1":
        return UNBOUNDED_RUN_SECONDS
    parsed = _TIMEOUT.fullmatch(str(value))
    if parsed is None:
        raise ValueError(f"host.json's functionTimeout is {value!r}; give hh:mm:ss, or -1 for none")
    return float((int(parsed["hours"]) * 60 + int(parsed["minutes"])) * 60 + int(parsed["seconds"]))


def host_json() -> Path | None:
    """The app's host.json: beside the package in the app's archive (make package), or in the project."""
    here = Path(__file__).resolve()
    return next((root / "host.json" for root in here.parents[2:4] if (root / "host.json").is_file()), None)


def time_budget() -> DeadlineBudget:
    """The budget of a run starting now: the function timeout less the reserve."""
    return DeadlineBudget(function_timeout(host_json()))


def job_run() -> JobRun:
    """The run starting now: a fresh correlation id, the clock's time as its scheduled moment."""
    from ..domain.jobs import JobRun
    from ..settings import SystemClock

    return JobRun(correlation_id=uuid.uuid4().hex, scheduled_at=SystemClock().now())


@cache
def cleanup_job() -> SessionCleanupJob:
    """The stale-session cleanup on the Sessions table (SESSION_IDLE_TIMEOUT_MINUTES, 30 by default)."""
    from datetime import timedelta

    from ..adapters.azure_environment import core_settings, table, topic_publisher
    from ..adapters.table_jobs import TableSessionHousekeeping
    from ..adapters.table_sessions import TableSessionStore
    from ..domain.jobs import SessionCleanupJob
    from ..domain.sessions import SessionService
    from ..settings import SystemClock
    from ..settings_scheduled_jobs import JobsSettings

    settings = core_settings(os.environ)
    sessions = table(os.environ, settings.sessions_table_name)
    store = TableSessionStore(sessions)
    # Ended as on a sign-out: SessionUpdated published under the sessions module's source.
    service = SessionService(
        store, topic_publisher(os.environ), SystemClock(), f"{settings.event_source}.sessions"
    )
    return SessionCleanupJob(
        service,
        store,
        TableSessionHousekeeping(sessions),
        SystemClock(),
        timedelta(minutes=JobsSettings.from_env().session_idle_timeout_minutes),
    )


@cache
def purge_job() -> RetentionPurgeJob:
    """The retention purge on the Sessions table, for the jurisdiction's retention."""
    from ..adapters.azure_environment import core_settings, table
    from ..adapters.table_jobs import TableSessionHousekeeping
    from ..compliance import RETENTION_YEARS
    from ..domain.jobs import RetentionPurgeJob
    from ..settings import SystemClock

    settings = core_settings(os.environ)
    return RetentionPurgeJob(
        TableSessionHousekeeping(table(os.environ, settings.sessions_table_name)),
        SystemClock(),
        RETENTION_YEARS,
    )


@app.function_name("sessionCleanup")
@app.timer_trigger(schedule="%SCHEDULE_SESSION_CLEANUP%", arg_name="timer", run_on_startup=False)
def session_cleanup(timer: func.TimerRequest) -> None:
    """End the sessions idle for longer than the idle timeout (SessionUpdated for each)."""
    budget = time_budget()
    run = job_run()
    set_correlation_id(run.correlation_id)
    try:
        run_session_cleanup(cleanup_job(), run, budget)
    finally:
        set_correlation_id(None)
        flush_metrics()


@app.function_name("retentionPurge")
@app.timer_trigger(schedule="%SCHEDULE_RETENTION_PURGE%", arg_name="timer", run_on_startup=False)
def retention_purge(timer: func.TimerRequest) -> None:
    """Delete the session records that ended longer ago than the jurisdiction's retention."""
    budget = time_budget()
    run = job_run()
    set_correlation_id(run.correlation_id)
    try:
        run_retention_purge(purge_job(), budget)
    finally:
        set_correlation_id(None)
        flush_metrics()


# The ledger's jobs need the hosted wallet's ledger (manifest: their `needs`), as on AWS: their functions
# are in jobs_wallet.py, a file of projects with the wallet only (the hybrid mode has none).
if enabled("wallet"):
    from .jobs_wallet import register_ledger_jobs

    register_ledger_jobs(app)
