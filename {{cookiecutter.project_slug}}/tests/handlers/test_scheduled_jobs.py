"""The scheduled jobs' entry points: the run a schedule starts, its metrics, its log summary, its retries."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from tests.support.region import REGION

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_jobs import (
    InMemoryExportSink,
    InMemorySessionHousekeeping,
    InMemoryWalletScanner,
)
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.jobs import (
    LedgerExportJob,
    ReconciliationJob,
    RetentionPurgeJob,
    SessionCleanupJob,
    export_key,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.sessions import SessionService
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers import (
    data_export,
    reconciliation,
    retention_purge,
    session_cleanup,
)
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
def ledger(publisher: InMemoryEventPublisher) -> InMemoryLedgerStore:
    # Committed entries' events reach the publisher, as the stream publisher carries them to the bus.
    return InMemoryLedgerStore(relay=publisher)


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock) -> Wallet:
    return Wallet(ledger, clock, f"{PACKAGE}.wallet")


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


# Reconciliation ---------------------------------------------------------------------------------


@pytest.fixture
def reconciliation_job(
    wallet: Wallet, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> ReconciliationJob:
    return ReconciliationJob(wallet, InMemoryWalletScanner(ledger), publisher, f"{PACKAGE}.scheduled_jobs")


def test_reconciliation_publishes_the_mismatch_metric_and_events_with_the_schedules_id(
    monkeypatch: pytest.MonkeyPatch,
    wallet: Wallet,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    reconciliation_job: ReconciliationJob,
    emitted_metrics: Callable[[], list[dict[str, Any]]],
) -> None:
    for player in ("player-1", "player-2", "player-3"):
        wallet.deposit(player, f"{player}-dep", Money.of(1_000, "EUR"), correlation_id="c")
    with ledger._lock:  # a planted mismatch: cash added without a ledger entry
        ledger._balances["player-3"] = replace(ledger._balances["player-3"], cash=1_001)
    monkeypatch.setattr(reconciliation, "_job", reconciliation_job)

    summary = reconciliation.handler(scheduled_event(), lambda_context())

    assert summary["mismatched_players"] == ["player-3"]
    (metrics,) = emitted_metrics()
    assert (value(metrics, "ReconciliationMismatches"), value(metrics, "PlayersReconciled")) == (1, 3)
    assert metrics["service"] == PACKAGE
    published = [event for event in publisher.events if event.source == f"{PACKAGE}.scheduled_jobs"]
    assert [(event.name, event.correlation_id) for event in published] == [
        ("ReconciliationMismatch", SCHEDULE_ID)
    ]


def test_a_clean_reconciliation_publishes_zero_so_the_alarm_clears(
    monkeypatch: pytest.MonkeyPatch,
    wallet: Wallet,
    reconciliation_job: ReconciliationJob,
    emitted_metrics: Callable[[], list[dict[str, Any]]],
) -> None:
    wallet.deposit("player-1", "dep-1", Money.of(1_000, "EUR"), correlation_id="c")
    monkeypatch.setattr(reconciliation, "_job", reconciliation_job)

    summary = reconciliation.handler(scheduled_event(), lambda_context())

    assert (summary["mismatches"], summary["complete"]) == (0, True)
    (metrics,) = emitted_metrics()
    assert value(metrics, "ReconciliationMismatches") == 0


def test_reconciliation_near_the_timeout_stops_and_says_so(
    wallet: Wallet, reconciliation_job: ReconciliationJob, clock: FixedClock
) -> None:
    wallet.deposit("player-1", "dep-1", Money.of(1_000, "EUR"), correlation_id="c")

    summary = reconciliation.run(
        scheduled_event(), lambda_context(remaining_ms=10_000), reconciliation_job, clock
    )

    assert (summary["players_checked"], summary["complete"]) == (0, False)


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


# Ledger export ----------------------------------------------------------------------------------


@pytest.fixture
def sink() -> InMemoryExportSink:
    return InMemoryExportSink()


@pytest.fixture
def export_job(ledger: InMemoryLedgerStore, sink: InMemoryExportSink) -> LedgerExportJob:
    return LedgerExportJob(InMemoryWalletScanner(ledger), sink)


def play_on(wallet: Wallet, clock: FixedClock, day: date, transaction_id: str) -> None:
    clock.advance(datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC) - clock.now())
    wallet.deposit("player-1", transaction_id, Money.of(100, "EUR"), correlation_id="c")


def test_the_daily_export_writes_yesterdays_entries(
    monkeypatch: pytest.MonkeyPatch,
    wallet: Wallet,
    sink: InMemoryExportSink,
    export_job: LedgerExportJob,
    clock: FixedClock,
    emitted_metrics: Callable[[], list[dict[str, Any]]],
) -> None:
    play_on(wallet, clock, date(2029, 12, 31), "dep-older")
    play_on(wallet, clock, date(2030, 1, 1), "dep-yesterday")
    monkeypatch.setattr(data_export, "_job", export_job)

    summary = data_export.handler(scheduled_event(), lambda_context())

    assert summary == {
        "day": "2030-01-01",
        "key": "exports/ledger/date=2030-01-01/ledger.jsonl",
        "entries": 1,
        "bytes": len(sink.objects[export_key(date(2030, 1, 1))]),
    }
    (line,) = sink.objects[export_key(date(2030, 1, 1))].decode().splitlines()
    assert json.loads(line)["transaction_id"] == "dep-yesterday"
    (metrics,) = emitted_metrics()
    assert value(metrics, "LedgerEntriesExported") == 1


def test_the_export_day_can_be_given_in_the_input(
    wallet: Wallet, sink: InMemoryExportSink, export_job: LedgerExportJob, clock: FixedClock
) -> None:
    play_on(wallet, clock, date(2029, 12, 31), "dep-older")
    clock.advance(timedelta(days=1))  # 2030-01-01: the 31st is over

    summary = data_export.run({"date": "2029-12-31"}, lambda_context(), export_job, clock)

    assert (summary["day"], summary["entries"]) == ("2029-12-31", 1)
    assert list(sink.objects) == [export_key(date(2029, 12, 31))]


@pytest.mark.parametrize("requested", ["2030-02-30", "yesterday", "2999-01-01", 7])
def test_an_export_input_with_a_bad_date_fails_naming_it_and_writes_nothing(
    requested: object, sink: InMemoryExportSink, export_job: LedgerExportJob, clock: FixedClock
) -> None:
    with pytest.raises(data_export.InvalidExportRequest, match=r"^date: "):
        data_export.run({"date": requested}, lambda_context(), export_job, clock)

    assert sink.writes == 0


def test_a_rerun_export_replaces_the_days_object(
    wallet: Wallet, sink: InMemoryExportSink, export_job: LedgerExportJob, clock: FixedClock
) -> None:
    play_on(wallet, clock, date(2030, 1, 1), "dep-1")
    first = data_export.run(scheduled_event(), lambda_context(), export_job, clock)
    body = sink.objects[export_key(date(2030, 1, 1))]

    again = data_export.run(scheduled_event(), lambda_context(), export_job, clock)

    assert first == again
    assert (list(sink.objects), sink.objects[export_key(date(2030, 1, 1))]) == (
        [export_key(date(2030, 1, 1))],
        body,
    )


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
