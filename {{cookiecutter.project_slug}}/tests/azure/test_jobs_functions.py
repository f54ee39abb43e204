"""The scheduled jobs app's sessions' timers on Azurite, called as the Functions host calls them.

sessionCleanup ends a session idle for longer than the idle timeout (SessionUpdated published, once);
retentionPurge deletes a session that ended before the jurisdiction's retention, with its activity
markers, and nothing else. Each run's time budget comes from host.json's function timeout.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")
pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from azure.functions.timer import TimerRequest
from tests.azure.azurite import Azurite
from tools.azure.function_apps import index_of
from tools.project import PROJECT_ROOT

from {{ cookiecutter.package_name }}.adapters import azure_environment
from {{ cookiecutter.package_name }}.adapters.memory import InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.table_sessions import TableSessionStore
from {{ cookiecutter.package_name }}.azure_apps import jobs
from {{ cookiecutter.package_name }}.compliance import RETENTION_YEARS
from {{ cookiecutter.package_name }}.domain.sessions import Session, SessionActivity, SessionStatus
from {{ cookiecutter.package_name }}.workers.jobs import DeadlineBudget

NOW = datetime.now(UTC)


@pytest.fixture
def sessions_table(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Any:
    """A fresh Sessions table and the app settings infra/ gives the jobs app, pointed at Azurite."""
    table = table_factory()
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("SESSIONS_TABLE_NAME", table.table_name)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    jobs.cleanup_job.cache_clear()
    jobs.purge_job.cache_clear()
    yield table
    jobs.cleanup_job.cache_clear()
    jobs.purge_job.cache_clear()


@pytest.fixture
def topic(monkeypatch: pytest.MonkeyPatch) -> InMemoryEventPublisher:
    published = InMemoryEventPublisher()
    monkeypatch.setattr(azure_environment, "topic_publisher", lambda environ: published)
    return published


def session(session_id: str, *, seen: datetime, ended: datetime | None = None) -> Session:
    return Session(
        session_id=session_id,
        player_id="player-1",
        status=SessionStatus.ACTIVE if ended is None else SessionStatus.ENDED,
        started_at=seen - timedelta(minutes=5),
        last_seen_at=seen,
        ended_at=ended,
    )


def test_the_cleanup_timer_ends_an_idle_session_once(
    sessions_table: Any, topic: InMemoryEventPublisher
) -> None:
    store = TableSessionStore(sessions_table)
    store.save(session("idle", seen=NOW - timedelta(hours=2)))
    store.save(session("fresh", seen=NOW))
    cleanup = index_of(jobs.app)["sessionCleanup"].call

    cleanup(TimerRequest(past_due=False))
    cleanup(TimerRequest(past_due=False))  # a rerun ends nothing more

    idle, fresh = store.get("idle"), store.get("fresh")
    assert idle is not None
    assert idle.status is SessionStatus.ENDED
    assert fresh is not None
    assert fresh.status is SessionStatus.ACTIVE
    published = [(event.name, event.detail["session_id"]) for event in topic.events]
    assert published == [("SessionUpdated", "idle")]


def test_the_purge_timer_deletes_a_session_past_the_retention_with_its_markers(sessions_table: Any) -> None:
    store = TableSessionStore(sessions_table)
    long_ago = NOW - timedelta(days=366 * RETENTION_YEARS + 1)
    store.save(session("old", seen=long_ago - timedelta(hours=1)))
    store.record_activity("old", "bet-1", SessionActivity(bets=1, staked=100))
    store.save(session("old", seen=long_ago, ended=long_ago))
    store.save(session("recent", seen=NOW - timedelta(days=1), ended=NOW - timedelta(days=1)))

    index_of(jobs.app)["retentionPurge"].call(TimerRequest(past_due=False))

    assert store.get("old") is None
    assert store.get("recent") is not None
    left = {entity["RowKey"] for entity in sessions_table.list_entities()}
    assert not [row for row in left if row.startswith("EVENT:old:")]
    assert "SESSION:old" not in {entity["PartitionKey"] for entity in sessions_table.list_entities()}


def test_a_run_out_of_time_ends_nothing_and_leaves_the_work_to_the_next(
    sessions_table: Any, topic: InMemoryEventPublisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TableSessionStore(sessions_table)
    store.save(session("idle", seen=NOW - timedelta(hours=2)))
    monkeypatch.setattr(jobs, "time_budget", lambda: DeadlineBudget(30.0))  # the reserve is 30 s

    index_of(jobs.app)["sessionCleanup"].call(TimerRequest(past_due=False))

    idle = store.get("idle")
    assert idle is not None
    assert idle.status is SessionStatus.ACTIVE
    assert topic.events == []


@pytest.mark.parametrize(
    ("setting", "seconds"),
    [(None, 30 * 60), ("00:10:00", 600), ("01:30:05", 5405), ("-1", jobs.UNBOUNDED_RUN_SECONDS)],
)
def test_the_budget_is_host_json_s_function_timeout(
    tmp_path: Path, setting: str | None, seconds: float
) -> None:
    host = tmp_path / "host.json"
    timeout = {} if setting is None else {"functionTimeout": setting}
    host.write_text(json.dumps({"version": "2.0", **timeout}))

    assert jobs.function_timeout(host) == seconds


def test_a_malformed_function_timeout_is_refused_by_name(tmp_path: Path) -> None:
    host = tmp_path / "host.json"
    host.write_text(json.dumps({"functionTimeout": "10 minutes"}))

    with pytest.raises(ValueError, match=r"functionTimeout is '10 minutes'; give hh:mm:ss"):
        jobs.function_timeout(host)


def test_the_app_reads_the_project_s_host_json() -> None:
    assert jobs.host_json() == PROJECT_ROOT / "host.json"


def test_a_deadline_budget_is_spent_when_only_the_reserve_is_left() -> None:
    now = [100.0]
    budget = DeadlineBudget(60.0, reserve_seconds=30.0, monotonic=lambda: now[0])

    assert not budget.exhausted()
    now[0] = 129.9
    assert not budget.exhausted()
    now[0] = 130.0
    assert budget.exhausted()
