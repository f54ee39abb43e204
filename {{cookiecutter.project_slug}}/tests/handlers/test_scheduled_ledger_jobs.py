"""The ledger jobs' entry points: reconciliation and the daily export, their metrics and reruns."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from tests.handlers import test_scheduled_jobs as scheduled_tests
from tests.handlers.test_scheduled_jobs import PACKAGE, SCHEDULE_ID, lambda_context, scheduled_event, value

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_ledger_jobs import (
    InMemoryExportSink,
    InMemoryWalletScanner,
)
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.ledger_jobs import (
    LedgerExportJob,
    ReconciliationJob,
    export_key,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers import data_export, reconciliation

# The parent file's fixture: the metrics the entry points emit.
emitted_metrics = scheduled_tests.emitted_metrics


@pytest.fixture
def ledger(publisher: InMemoryEventPublisher) -> InMemoryLedgerStore:
    # Committed entries' events reach the publisher, as the stream publisher carries them to the bus.
    return InMemoryLedgerStore(relay=publisher)


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock) -> Wallet:
    return Wallet(ledger, clock, f"{PACKAGE}.wallet")


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
