"""The hosted wallet's ledger jobs in memory: reconciliation and the ledger export."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from tests.unit import test_jobs as jobs_tests
from tests.unit.test_jobs import JOBS_SOURCE, RUN, SpentAfter, at, job_events

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_ledger_jobs import (
    InMemoryExportSink,
    InMemoryWalletScanner,
)
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.errors import ValidationFailed
from {{ cookiecutter.package_name }}.domain.jobs import JobRun, Unlimited
from {{ cookiecutter.package_name }}.domain.ledger_jobs import (
    JobOutOfTime,
    LedgerExportJob,
    ReconciliationJob,
    day_to_export,
    export_key,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Funds, Wallet
from {{ cookiecutter.package_name }}.settings import SettingsError
from {{ cookiecutter.package_name }}.settings_ledger_jobs import LedgerExportSettings

# The parent file's fixtures: the in-memory ledger and the wallet over it.
ledger = jobs_tests.ledger
wallet = jobs_tests.wallet


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


# Settings ---------------------------------------------------------------------------------------


def test_export_settings_read_the_bucket_and_refuse_its_absence() -> None:
    assert LedgerExportSettings.from_env({"EXPORT_BUCKET_NAME": "exports"}).export_bucket_name == "exports"
    with pytest.raises(SettingsError, match="EXPORT_BUCKET_NAME"):
        LedgerExportSettings.from_env({})
