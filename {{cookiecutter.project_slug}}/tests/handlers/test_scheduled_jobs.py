"""The sessions' jobs' entry points: the run a schedule starts, its metrics, its log summary, its retries.

The ledger's jobs' entry points (reconciliation, the export; with the hosted wallet only):
test_scheduled_ledger_jobs.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from tests.support.region import REGION

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_jobs import InMemorySessionHousekeeping
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.domain.jobs import RetentionPurgeJob, SessionCleanupJob
from {{ cookiecutter.package_name }}.domain.sessions import SessionService
from {{ cookiecutter.package_name }}.handlers import retention_purge, session_cleanup
from {{ cookiecutter.package_name }}.handlers.scheduled import LambdaTimeBudget, scheduled_run
from {{ cookiecutter.package_name }}.observability import flush_metrics

PACKAGE = "{{ cookiecutter.package_name }}"
SCHEDULE_ID = "0f7e2a4c-5b1d-4c3e-9a8b-1d2e3f4a5b6c"
SCHEDULED_AT = datetime(2030, 1, 2, 0, 30, tzinfo=UTC)


def scheduled_event(event_id: str = SCHEDULE_ID, at: datetime = SCHEDULED_AT) -> dict[str, Any]:
    """What an EventBridge schedule hands the function."""
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:123456789012:rule/jobs"],
        "detail": {},
    }


def lambda_context(remaining_ms: int = 600_000) -> SimpleNamespace:
    return SimpleNamespace(
        aws_request_id="lambda-request-1", get_remaining_time_in_millis=lambda: remaining_ms
    )


@pytest.fixture
def emitted_metrics(capsys: pytest.CaptureFixture[str]) -> Callable[[], list[dict[str, Any]]]:
    """Reads the embedded-metric-format lines written since the test started."""
    flush_metrics()  # metrics other tests left pending in this process
    capsys.readouterr()

    def read() -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
        return [line for line in lines if "_aws" in line]

    return read


def value(metrics: dict[str, Any], name: str) -> float:
    """A metric's value in an EMF line (Powertools writes a list of the values added)."""
    values = metrics[name]
    return float(sum(values)) if isinstance(values, list) else float(values)


@pytest.fixture
def session_store() -> InMemorySessionStore:
    return InMemorySessionStore()


@pytest.fixture
def sessions(
    session_store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> SessionService:
    return SessionService(session_store, publisher, clock, f"{PACKAGE}.sessions")


# The run a schedule starts ----------------------------------------------------------------------


def test_a_scheduled_run_takes_its_correlation_id_and_moment_from_the_event(clock: FixedClock) -> None:
    run = scheduled_run(scheduled_event(), lambda_context(), clock)

    assert (run.correlation_id, run.scheduled_at) == (SCHEDULE_ID, SCHEDULED_AT)


def test_a_run_by_hand_takes_the_lambda_request_id_and_the_clock(clock: FixedClock) -> None:
    run = scheduled_run({"date": "2029-12-01"}, lambda_context(), clock)

    assert (run.correlation_id, run.scheduled_at) == ("lambda-request-1", clock.now())


def test_an_unusable_id_and_time_fall_back_to_a_fresh_id_and_the_clock(clock: FixedClock) -> None:
    run = scheduled_run({"id": "forged id\nlevel=ERROR", "time": "yesterday"}, SimpleNamespace(), clock)

    assert run.scheduled_at == clock.now()
    assert re.fullmatch(r"[0-9a-f]{32}", run.correlation_id)


def test_a_time_without_a_zone_is_not_trusted(clock: FixedClock) -> None:
    run = scheduled_run({"id": "run-7", "time": "2030-01-02T00:30:00"}, lambda_context(), clock)

    assert (run.correlation_id, run.scheduled_at) == ("run-7", clock.now())


def test_the_time_budget_keeps_thirty_seconds_back() -> None:
    assert LambdaTimeBudget(lambda_context(remaining_ms=30_001)).exhausted() is False
    assert LambdaTimeBudget(lambda_context(remaining_ms=29_999)).exhausted() is True
    assert LambdaTimeBudget(object()).exhausted() is False  # outside Lambda


# Stale-session cleanup --------------------------------------------------------------------------


@pytest.fixture
def cleanup_job(
    sessions: SessionService, session_store: InMemorySessionStore, clock: FixedClock
) -> SessionCleanupJob:
    housekeeping = InMemorySessionHousekeeping(session_store)
    return SessionCleanupJob(sessions, session_store, housekeeping, clock, timedelta(minutes=30))


def test_every_session_the_cleanup_ends_is_announced_with_the_schedules_id(
    monkeypatch: pytest.MonkeyPatch,
    sessions: SessionService,
    publisher: InMemoryEventPublisher,
    cleanup_job: SessionCleanupJob,
    clock: FixedClock,
    emitted_metrics: Callable[[], list[dict[str, Any]]],
) -> None:
    for player in ("player-1", "player-2"):
        sessions.start_session(player, correlation_id=f"login-{player}")
    clock.advance(timedelta(hours=1))
    publisher.events.clear()
    monkeypatch.setattr(session_cleanup, "_job", cleanup_job)

    summary = session_cleanup.handler(scheduled_event(), lambda_context())

    assert summary["ended"] == 2
    assert [(event.name, event.detail["status"]) for event in publisher.events] == [
        ("SessionUpdated", "ended"),
        ("SessionUpdated", "ended"),
    ]
    assert {event.correlation_id for event in publisher.events} == {SCHEDULE_ID}
    (metrics,) = emitted_metrics()
    assert value(metrics, "IdleSessionsEnded") == 2


def test_a_redelivered_cleanup_schedule_has_one_effect(
    sessions: SessionService,
    publisher: InMemoryEventPublisher,
    cleanup_job: SessionCleanupJob,
    clock: FixedClock,
) -> None:
    sessions.start_session("player-1", correlation_id="login")
    clock.advance(timedelta(hours=1))
    publisher.events.clear()

    first = session_cleanup.run(scheduled_event(), lambda_context(), cleanup_job, clock)
    again = session_cleanup.run(scheduled_event(), lambda_context(), cleanup_job, clock)

    assert (first["ended"], again["ended"]) == (1, 0)
    assert len(publisher.events) == 1


# Retention purge --------------------------------------------------------------------------------


def test_the_purge_entry_point_counts_what_it_purged_and_a_rerun_purges_nothing(
    monkeypatch: pytest.MonkeyPatch,
    sessions: SessionService,
    session_store: InMemorySessionStore,
    clock: FixedClock,
    emitted_metrics: Callable[[], list[dict[str, Any]]],
) -> None:
    session_id = sessions.start_session("player-1", correlation_id="login").session_id
    sessions.end_session(session_id, "player-1", correlation_id="logout")
    clock.advance(timedelta(days=11 * 366))  # past every jurisdiction's retention
    job = RetentionPurgeJob(InMemorySessionHousekeeping(session_store), clock, 10)
    monkeypatch.setattr(retention_purge, "_job", job)

    first = retention_purge.handler(scheduled_event(), lambda_context())
    again = retention_purge.handler(scheduled_event(), lambda_context())

    assert (first["purged"], again["purged"]) == (1, 0)
    assert session_store.get(session_id) is None
    first_metrics, second_metrics = emitted_metrics()
    assert (value(first_metrics, "SessionsPurged"), value(second_metrics, "SessionsPurged")) == (1, 0)
