"""The sessions' scheduled jobs in memory: stale-session cleanup and retention purge."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_jobs import InMemorySessionHousekeeping
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.jobs import (
    JobRun,
    RetentionPurgeJob,
    SessionCleanupJob,
    Unlimited,
    years_before,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.sessions import SessionService, SessionStatus
from {{ cookiecutter.package_name }}.domain.wallet import IdScope, Wallet
from {{ cookiecutter.package_name }}.ports.scheduled_jobs import SessionHousekeeping
from {{ cookiecutter.package_name }}.settings import SettingsError
from {{ cookiecutter.package_name }}.settings_scheduled_jobs import JobsSettings

JOBS_SOURCE = "{{ cookiecutter.package_name }}.scheduled_jobs"
SESSIONS_SOURCE = "{{ cookiecutter.package_name }}.sessions"
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
RUN = JobRun(correlation_id="schedule-run-1", scheduled_at=datetime(2030, 1, 2, 0, 30, tzinfo=UTC))
IDLE = timedelta(minutes=30)


class SpentAfter:
    """A time budget that is spent after `checks` look-ups."""

    def __init__(self, checks: int) -> None:
        self.left = checks

    def exhausted(self) -> bool:
        self.left -= 1
        return self.left < 0


@pytest.fixture
def ledger(publisher: InMemoryEventPublisher) -> InMemoryLedgerStore:
    # Committed entries' events reach the publisher, as the stream publisher carries them to the bus.
    return InMemoryLedgerStore(relay=publisher)


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock) -> Wallet:
    return Wallet(ledger, clock, WALLET_SOURCE)


def at(clock: FixedClock, moment: datetime) -> None:
    """Set the clock to `moment`."""
    clock.advance(moment - clock.now())


def job_events(publisher: InMemoryEventPublisher, source: str = JOBS_SOURCE) -> list[DomainEvent]:
    return [event for event in publisher.events if event.source == source]


# Stale-session cleanup --------------------------------------------------------------------------


@pytest.fixture
def session_store() -> InMemorySessionStore:
    return InMemorySessionStore()


@pytest.fixture
def sessions(
    session_store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> SessionService:
    return SessionService(session_store, publisher, clock, SESSIONS_SOURCE)


def cleanup(
    sessions: SessionService,
    store: InMemorySessionStore,
    clock: FixedClock,
    housekeeping: SessionHousekeeping | None = None,
) -> SessionCleanupJob:
    return SessionCleanupJob(sessions, store, housekeeping or InMemorySessionHousekeeping(store), clock, IDLE)


def ended_updates(publisher: InMemoryEventPublisher) -> list[DomainEvent]:
    return [
        event
        for event in job_events(publisher, SESSIONS_SOURCE)
        if event.name == "SessionUpdated" and event.detail["status"] == "ended"
    ]


def test_an_idle_session_is_ended_as_on_a_sign_out(
    sessions: SessionService,
    session_store: InMemorySessionStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    idle = sessions.start_session("player-1", correlation_id="login-1").session_id
    clock.advance(timedelta(minutes=20))
    fresh = sessions.start_session("player-2", correlation_id="login-2").session_id
    clock.advance(timedelta(minutes=11))

    summary = cleanup(sessions, session_store, clock).run(RUN, Unlimited())

    assert (summary.ended, summary.skipped, summary.complete) == (1, 0, True)
    ended, still_active = session_store.get(idle), session_store.get(fresh)
    assert ended is not None
    assert ended.status is SessionStatus.ENDED
    assert still_active is not None
    assert still_active.status is SessionStatus.ACTIVE
    (event,) = ended_updates(publisher)
    assert (event.detail["session_id"], event.correlation_id) == (idle, "schedule-run-1")


def test_a_session_heard_from_exactly_the_timeout_ago_stays_active(
    sessions: SessionService, session_store: InMemorySessionStore, clock: FixedClock
) -> None:
    session_id = sessions.start_session("player-1", correlation_id="login").session_id
    clock.advance(IDLE)

    summary = cleanup(sessions, session_store, clock).run(RUN, Unlimited())

    assert summary.ended == 0
    stored = session_store.get(session_id)
    assert stored is not None
    assert stored.status is SessionStatus.ACTIVE


def test_a_second_cleanup_run_ends_nothing_and_publishes_nothing(
    sessions: SessionService,
    session_store: InMemorySessionStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    sessions.start_session("player-1", correlation_id="login")
    clock.advance(timedelta(hours=2))
    job = cleanup(sessions, session_store, clock)

    first = job.run(RUN, Unlimited())
    published = len(publisher.events)
    again = job.run(RUN, Unlimited())

    assert (first.ended, again.ended) == (1, 0)
    assert len(publisher.events) == published


def test_a_signed_out_session_is_left_alone(
    sessions: SessionService,
    session_store: InMemorySessionStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    session_id = sessions.start_session("player-1", correlation_id="login").session_id
    sessions.end_session(session_id, "player-1", correlation_id="logout")
    clock.advance(timedelta(hours=2))

    summary = cleanup(sessions, session_store, clock).run(RUN, Unlimited())

    assert summary.ended == 0
    assert [event.correlation_id for event in ended_updates(publisher)] == ["logout"]


class StaleScan(InMemorySessionHousekeeping):
    """A scan that still lists a session the player has been heard from since, and one now gone."""

    def __init__(self, store: InMemorySessionStore, session_id: str) -> None:
        super().__init__(store)
        self.session_id = session_id

    def idle_session_ids(self, seen_before: datetime) -> Iterator[str]:
        return iter([self.session_id, "session-gone"])


def test_a_session_heard_from_after_the_scan_is_not_ended(
    sessions: SessionService,
    session_store: InMemorySessionStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    session_id = sessions.start_session("player-1", correlation_id="login").session_id
    clock.advance(timedelta(hours=2))
    sessions.heartbeat(session_id, "player-1", correlation_id="beat")

    stale_scan = StaleScan(session_store, session_id)

    summary = cleanup(sessions, session_store, clock, stale_scan).run(RUN, Unlimited())

    assert (summary.ended, summary.skipped) == (0, 2)
    assert ended_updates(publisher) == []


def test_cleanup_stops_when_the_budget_is_spent(
    sessions: SessionService, session_store: InMemorySessionStore, clock: FixedClock
) -> None:
    for number in range(4):
        sessions.start_session(f"player-{number}", correlation_id="login")
    clock.advance(timedelta(hours=1))

    summary = cleanup(sessions, session_store, clock).run(RUN, SpentAfter(2))

    assert (summary.ended, summary.complete) == (2, False)


def test_the_idle_timeout_must_be_positive(
    sessions: SessionService, session_store: InMemorySessionStore, clock: FixedClock
) -> None:
    housekeeping = InMemorySessionHousekeeping(session_store)

    with pytest.raises(ValueError, match="idle timeout"):
        SessionCleanupJob(sessions, session_store, housekeeping, clock, timedelta(0))


# Retention purge --------------------------------------------------------------------------------


def test_years_before_keeps_the_calendar_day() -> None:
    assert years_before(datetime(2030, 6, 15, 8, 0, tzinfo=UTC), 5) == datetime(2025, 6, 15, 8, 0, tzinfo=UTC)
    assert years_before(datetime(2028, 2, 29, tzinfo=UTC), 5) == datetime(2023, 2, 28, tzinfo=UTC)


def test_sessions_ended_before_the_retention_are_purged_and_nothing_else(
    sessions: SessionService,
    session_store: InMemorySessionStore,
    wallet: Wallet,
    ledger: InMemoryLedgerStore,
    clock: FixedClock,
) -> None:
    at(clock, datetime(2024, 1, 1, tzinfo=UTC))
    old = sessions.start_session("player-1", correlation_id="login").session_id
    sessions.end_session(old, "player-1", correlation_id="logout")
    never_ended = sessions.start_session("player-2", correlation_id="login").session_id
    wallet.deposit("player-1", "dep-1", Money.of(1_000, "EUR"), correlation_id="c")
    at(clock, datetime(2029, 1, 2, tzinfo=UTC))
    recent = sessions.start_session("player-1", correlation_id="login").session_id
    sessions.end_session(recent, "player-1", correlation_id="logout")
    at(clock, datetime(2030, 1, 1, tzinfo=UTC))

    summary = RetentionPurgeJob(InMemorySessionHousekeeping(session_store), clock, 5).run(Unlimited())

    assert (summary.purged, summary.ended_before) == (1, datetime(2025, 1, 1, tzinfo=UTC))
    assert session_store.get(old) is None
    assert session_store.get(recent) is not None
    assert session_store.get(never_ended) is not None  # active: never purged, whatever its age
    assert ledger.entry("player-1", IdScope.PAYMENT, "dep-1") is not None  # the ledger is kept forever


def test_a_second_purge_run_purges_nothing(
    sessions: SessionService, session_store: InMemorySessionStore, clock: FixedClock
) -> None:
    at(clock, datetime(2020, 1, 1, tzinfo=UTC))
    for number in range(3):
        session_id = sessions.start_session(f"player-{number}", correlation_id="login").session_id
        sessions.end_session(session_id, f"player-{number}", correlation_id="logout")
    at(clock, datetime(2030, 1, 1, tzinfo=UTC))
    job = RetentionPurgeJob(InMemorySessionHousekeeping(session_store), clock, 5)

    assert (job.run(Unlimited()).purged, job.run(Unlimited()).purged) == (3, 0)


def test_purge_stops_when_the_budget_is_spent(
    sessions: SessionService, session_store: InMemorySessionStore, clock: FixedClock
) -> None:
    at(clock, datetime(2020, 1, 1, tzinfo=UTC))
    for number in range(3):
        session_id = sessions.start_session(f"player-{number}", correlation_id="login").session_id
        sessions.end_session(session_id, f"player-{number}", correlation_id="logout")
    at(clock, datetime(2030, 1, 1, tzinfo=UTC))

    summary = RetentionPurgeJob(InMemorySessionHousekeeping(session_store), clock, 5).run(SpentAfter(1))

    assert (summary.purged, summary.complete) == (1, False)


def test_the_retention_must_be_at_least_a_year(
    session_store: InMemorySessionStore, clock: FixedClock
) -> None:
    with pytest.raises(ValueError, match="retention"):
        RetentionPurgeJob(InMemorySessionHousekeeping(session_store), clock, 0)


# Settings ---------------------------------------------------------------------------------------


def test_jobs_settings_default_the_idle_timeout() -> None:
    assert JobsSettings.from_env({}).session_idle_timeout_minutes == 30
    assert JobsSettings.from_env({"SESSION_IDLE_TIMEOUT_MINUTES": "45"}).session_idle_timeout_minutes == 45


@pytest.mark.parametrize(
    "minutes",
    [
        pytest.param("0", id="zero"),
        pytest.param("1441", id="too-long"),
        pytest.param("7.5", id="fraction"),
    ],
)
def test_jobs_settings_refuse_a_bad_idle_timeout(minutes: str) -> None:
    with pytest.raises(SettingsError, match="1440"):
        JobsSettings.from_env({"SESSION_IDLE_TIMEOUT_MINUTES": minutes})
