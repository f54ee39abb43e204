"""The scheduled jobs in memory: reconciliation, stale-session cleanup, ledger export, retention purge."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_jobs import (
    InMemoryExportSink,
    InMemorySessionHousekeeping,
    InMemoryWalletScanner,
)
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.errors import ValidationFailed
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.jobs import (
    JobOutOfTime,
    JobRun,
    LedgerExportJob,
    ReconciliationJob,
    RetentionPurgeJob,
    SessionCleanupJob,
    Unlimited,
    day_to_export,
    export_key,
    years_before,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.sessions import SessionService, SessionStatus
from {{ cookiecutter.package_name }}.domain.wallet import Funds, IdScope, Wallet
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


def play(wallet: Wallet, player_id: str, deposit: int = 1_000, stake: int = 300, win: int = 500) -> None:
    """A deposit, a bet and its win: a wallet whose ledger and balance agree."""
    wallet.deposit(player_id, f"{player_id}-dep", Money.of(deposit, "EUR"), correlation_id="c")
    wallet.place_bet(player_id, f"{player_id}-bet", Money.of(stake, "EUR"), correlation_id="c")
    if win:
        wallet.settle_win(
            player_id, f"{player_id}-win", f"{player_id}-bet", Money.of(win, "EUR"), correlation_id="c"
        )


def plant_difference(ledger: InMemoryLedgerStore, player_id: str, cash: int = 0, bonus: int = 0) -> None:
    """Move a stored balance without a ledger entry: what reconciliation exists to catch."""
    with ledger._lock:
        balance = ledger._balances[player_id]
        ledger._balances[player_id] = replace(balance, cash=balance.cash + cash, bonus=balance.bonus + bonus)


def at(clock: FixedClock, moment: datetime) -> None:
    """Set the clock to `moment`."""
    clock.advance(moment - clock.now())


def job_events(publisher: InMemoryEventPublisher, source: str = JOBS_SOURCE) -> list[DomainEvent]:
    return [event for event in publisher.events if event.source == source]


# Reconciliation ---------------------------------------------------------------------------------


def reconciliation(
    wallet: Wallet,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    pause: Callable[[], None] = lambda: None,
) -> ReconciliationJob:
    return ReconciliationJob(
        wallet, InMemoryWalletScanner(ledger), publisher, JOBS_SOURCE, recheck_pause=pause
    )


def test_balanced_wallets_pass_without_an_event(
    wallet: Wallet, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> None:
    play(wallet, "player-1")
    play(wallet, "player-2", deposit=5_000, stake=5_000, win=0)

    summary = reconciliation(wallet, ledger, publisher).run(RUN, Unlimited())

    assert (summary.players_checked, summary.mismatches, summary.complete) == (2, (), True)
    assert job_events(publisher) == []


def test_a_planted_mismatch_is_reported_with_the_runs_correlation_id(
    wallet: Wallet, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> None:
    play(wallet, "player-1")
    play(wallet, "player-2")
    plant_difference(ledger, "player-2", cash=250)

    summary = reconciliation(wallet, ledger, publisher).run(RUN, Unlimited())

    assert [mismatch.player_id for mismatch in summary.mismatches] == ["player-2"]
    (event,) = job_events(publisher)
    assert event.name == "ReconciliationMismatch"
    assert event.correlation_id == "schedule-run-1"
    assert event.detail == {
        "player_id": "player-2",
        "ledger_cash": 1_200,
        "balance_cash": 1_450,
        "ledger_bonus": 0,
        "balance_bonus": 0,
        "cash_difference": -250,
        "bonus_difference": 0,
        "scheduled_at": "2030-01-02T00:30:00+00:00",
    }


def test_a_bonus_balance_that_differs_from_its_ledger_is_a_mismatch(
    wallet: Wallet, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> None:
    wallet.grant_bonus("player-1", "grant-1", Money.of(1_000, "EUR"), correlation_id="c")
    wallet.place_bet("player-1", "bet-1", Money.of(400, "EUR"), correlation_id="c", funds=Funds.BONUS)
    plant_difference(ledger, "player-1", bonus=-1)

    summary = reconciliation(wallet, ledger, publisher).run(RUN, Unlimited())

    (event,) = job_events(publisher)
    assert (event.detail["ledger_bonus"], event.detail["balance_bonus"]) == (600, 599)
    assert event.detail["bonus_difference"] == 1
    assert len(summary.mismatches) == 1


def test_reconciliation_reads_and_never_repairs(
    wallet: Wallet, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> None:
    play(wallet, "player-1")
    plant_difference(ledger, "player-1", cash=99)
    before = (dict(ledger._balances), dict(ledger._entries))

    reconciliation(wallet, ledger, publisher).run(RUN, Unlimited())
    reconciliation(wallet, ledger, publisher).run(RUN, Unlimited())

    assert (dict(ledger._balances), dict(ledger._entries)) == before


def test_a_retried_run_repeats_its_events_and_the_next_run_is_new(
    wallet: Wallet, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> None:
    play(wallet, "player-1")
    plant_difference(ledger, "player-1", cash=10)
    job = reconciliation(wallet, ledger, publisher)
    next_hour_run = JobRun("next", RUN.scheduled_at + timedelta(hours=1))

    job.run(RUN, Unlimited())
    job.run(RUN, Unlimited())
    job.run(next_hour_run, Unlimited())

    first, retried, next_hour = job_events(publisher)
    assert first.event_id == retried.event_id  # the same run: deduplicable downstream
    assert next_hour.event_id != first.event_id  # a mismatch that persists is reported every hour


def test_a_difference_gone_on_the_second_look_is_not_reported(
    wallet: Wallet, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> None:
    play(wallet, "player-1")
    plant_difference(ledger, "player-1", cash=300)

    # The ledger index catches up while the job pauses before its second look.
    summary = reconciliation(
        wallet, ledger, publisher, pause=lambda: plant_difference(ledger, "player-1", cash=-300)
    ).run(RUN, Unlimited())

    assert (summary.mismatches, summary.unsettled) == ((), ())
    assert job_events(publisher) == []


def test_a_difference_that_moves_between_looks_is_left_for_the_next_run(
    wallet: Wallet, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> None:
    play(wallet, "player-1")
    plant_difference(ledger, "player-1", cash=300)

    summary = reconciliation(
        wallet, ledger, publisher, pause=lambda: plant_difference(ledger, "player-1", cash=-100)
    ).run(RUN, Unlimited())

    assert (summary.mismatches, summary.unsettled) == ((), ("player-1",))
    assert job_events(publisher) == []


def test_reconciliation_stops_when_the_budget_is_spent(
    wallet: Wallet, ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher
) -> None:
    for number in range(5):
        play(wallet, f"player-{number}")

    summary = reconciliation(wallet, ledger, publisher).run(RUN, SpentAfter(3))

    assert (summary.players_checked, summary.complete) == (3, False)
    assert summary.as_log()["complete"] is False


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


# Ledger export ----------------------------------------------------------------------------------


def test_the_export_day_is_yesterday_in_utc_unless_one_is_asked_for() -> None:
    assert day_to_export(None, datetime(2030, 1, 2, 0, 30, tzinfo=UTC)) == date(2030, 1, 1)
    # 00:30 in UTC+02:00 is still the 1st of January in UTC.
    assert day_to_export(None, datetime.fromisoformat("2030-01-02T00:30:00+02:00")) == date(2029, 12, 31)
    assert day_to_export("2029-11-26", RUN.scheduled_at) == date(2029, 11, 26)


@pytest.mark.parametrize(
    "requested",
    [
        pytest.param("2030-01-02", id="today"),
        pytest.param("2030-06-01", id="future"),
        pytest.param("2029-02-30", id="not-a-calendar-day"),
        pytest.param("2029-13-01", id="month-13"),
        pytest.param("26/11/2029", id="other-format"),
        pytest.param("2029-1-5", id="not-zero-padded"),
        pytest.param("", id="empty"),
        pytest.param(20291126, id="number"),
        pytest.param(["2029-11-26"], id="list"),
    ],
)
def test_an_export_day_that_is_not_a_past_day_is_refused(requested: object) -> None:
    with pytest.raises(ValidationFailed) as refused:
        day_to_export(requested, RUN.scheduled_at)

    assert refused.value.field == "date"


def write_the_1st_of_january(wallet: Wallet, clock: FixedClock) -> None:
    """Entries on both edges of 2030-01-01 (UTC) and one on each neighbouring day."""
    at(clock, datetime(2029, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC))
    wallet.deposit("player-1", "dep-before", Money.of(1_000, "EUR"), correlation_id="c")
    at(clock, datetime(2030, 1, 1, 0, 0, tzinfo=UTC))
    wallet.deposit("player-1", "dep-midnight", Money.of(500, "EUR"), correlation_id="c")
    at(clock, datetime(2030, 1, 1, 13, 0, tzinfo=UTC))
    wallet.place_bet("player-1", "bet-1", Money.of(200, "EUR"), correlation_id="c")
    wallet.rollback_bet("player-1", "rb-1", "bet-1", correlation_id="c")
    at(clock, datetime(2030, 1, 1, 23, 59, 59, 999_999, tzinfo=UTC))
    wallet.rollback_bet("player-1", "rb-2", "bet-late", correlation_id="c")  # leaves a tombstone
    at(clock, datetime(2030, 1, 2, 0, 0, tzinfo=UTC))
    wallet.deposit("player-1", "dep-after", Money.of(100, "EUR"), correlation_id="c")


def lines(sink: InMemoryExportSink, day: date) -> list[dict[str, object]]:
    return [json.loads(line) for line in sink.objects[export_key(day)].decode().splitlines()]


def test_the_export_holds_exactly_the_days_entries_as_json_lines(
    wallet: Wallet, ledger: InMemoryLedgerStore, clock: FixedClock
) -> None:
    write_the_1st_of_january(wallet, clock)
    sink = InMemoryExportSink()

    summary = LedgerExportJob(InMemoryWalletScanner(ledger), sink).run(date(2030, 1, 1), Unlimited())

    exported = lines(sink, date(2030, 1, 1))
    assert sorted(line["transaction_id"] for line in exported) == [
        "bet-1",
        "bet-late",
        "dep-midnight",
        "rb-1",
        "rb-2",
    ]
    assert summary.key == "exports/ledger/date=2030-01-01/ledger.jsonl"
    assert (summary.entries, summary.size_bytes) == (5, len(sink.objects[summary.key]))
    bet = next(line for line in exported if line["transaction_id"] == "bet-1")
    assert bet == {
        "transaction_id": "bet-1",
        "player_id": "player-1",
        "kind": "bet",
        "amount": 200,
        "currency": "EUR",
        "funds": "cash",
        "created_at": "2030-01-01T13:00:00+00:00",
        "reference": None,
        "reversed_by": "rb-1",
    }
    assert all("fingerprint" not in line for line in exported)


def test_exporting_a_day_again_replaces_its_object(
    wallet: Wallet, ledger: InMemoryLedgerStore, clock: FixedClock
) -> None:
    write_the_1st_of_january(wallet, clock)
    sink = InMemoryExportSink()
    job = LedgerExportJob(InMemoryWalletScanner(ledger), sink)

    job.run(date(2030, 1, 1), Unlimited())
    first = sink.objects[export_key(date(2030, 1, 1))]
    job.run(date(2030, 1, 1), Unlimited())

    assert list(sink.objects) == [export_key(date(2030, 1, 1))]
    assert (sink.writes, sink.objects[export_key(date(2030, 1, 1))]) == (2, first)


def test_an_export_out_of_time_writes_nothing_and_keeps_the_earlier_object(
    wallet: Wallet, ledger: InMemoryLedgerStore, clock: FixedClock
) -> None:
    write_the_1st_of_january(wallet, clock)
    sink = InMemoryExportSink()
    job = LedgerExportJob(InMemoryWalletScanner(ledger), sink)
    job.run(date(2030, 1, 1), Unlimited())
    earlier = sink.objects[export_key(date(2030, 1, 1))]

    with pytest.raises(JobOutOfTime, match="2030-01-01"):
        job.run(date(2030, 1, 1), SpentAfter(2))

    assert (sink.writes, sink.objects[export_key(date(2030, 1, 1))]) == (1, earlier)


def test_a_quiet_day_is_exported_as_an_empty_object(ledger: InMemoryLedgerStore) -> None:
    sink = InMemoryExportSink()

    summary = LedgerExportJob(InMemoryWalletScanner(ledger), sink).run(date(2030, 1, 1), Unlimited())

    assert (summary.entries, sink.objects[summary.key]) == (0, b"")


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


def test_jobs_settings_read_the_bucket_and_default_the_idle_timeout() -> None:
    settings = JobsSettings.from_env({"EXPORT_BUCKET_NAME": "exports"})

    assert (settings.export_bucket_name, settings.session_idle_timeout_minutes) == ("exports", 30)
    assert (
        JobsSettings.from_env(
            {"EXPORT_BUCKET_NAME": "exports", "SESSION_IDLE_TIMEOUT_MINUTES": "45"}
        ).session_idle_timeout_minutes
        == 45
    )


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        pytest.param({}, "EXPORT_BUCKET_NAME", id="no-bucket"),
        pytest.param({"EXPORT_BUCKET_NAME": "b", "SESSION_IDLE_TIMEOUT_MINUTES": "0"}, "1440", id="zero"),
        pytest.param(
            {"EXPORT_BUCKET_NAME": "b", "SESSION_IDLE_TIMEOUT_MINUTES": "1441"}, "1440", id="too-long"
        ),
        pytest.param(
            {"EXPORT_BUCKET_NAME": "b", "SESSION_IDLE_TIMEOUT_MINUTES": "7.5"}, "1440", id="fraction"
        ),
    ],
)
def test_jobs_settings_refuse_a_missing_bucket_or_a_bad_idle_timeout(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError, match=named):
        JobsSettings.from_env(environ)
