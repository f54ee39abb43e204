"""One suite per reporting port: the chosen cloud's adapters must behave exactly like the in-memory ones.

GgrTotalsStore and ReportWriter run against memory, then against the cloud's stores where its fixtures
supply them (tests/support/real_stores.py); what only one cloud's store does is tested in its own file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import NamedTuple

import pytest
from tests.support.real_stores import store_params

from {{ cookiecutter.package_name }}.adapters.memory_reporting import (
    InMemoryGgrTotalsStore,
    InMemoryReportWriter,
)
from {{ cookiecutter.package_name }}.domain.reporting import (
    DailyGgrReport,
    DailyTotals,
    Play,
    PlayTotals,
)
from {{ cookiecutter.package_name }}.ports.reporting import GgrTotalsStore, ReportWriter

DAY = date(2029, 12, 31)
AT = datetime(2029, 12, 31, 18, 0, tzinfo=UTC)


@pytest.fixture(params=store_params("real_ggr_totals_store"))
def totals(request: pytest.FixtureRequest) -> GgrTotalsStore:
    if request.param == "memory":
        return InMemoryGgrTotalsStore()
    store: GgrTotalsStore = request.getfixturevalue("real_ggr_totals_store")
    return store


class Shelf(NamedTuple):
    """A report writer, and how to read what it stored: an object's bytes, and how often it was written."""

    writer: ReportWriter
    stored: Callable[[str], bytes]
    versions: Callable[[str], int]


@pytest.fixture(params=store_params("real_report_writer"))
def shelf(request: pytest.FixtureRequest) -> Shelf:
    if request.param == "memory":
        memory = InMemoryReportWriter()
        return Shelf(memory, memory.objects.__getitem__, lambda key: memory.writes)
    writer, stored, versions = request.getfixturevalue("real_report_writer")
    return Shelf(writer, stored, versions)


def bet(event_id: str, amount: int, currency: str = "EUR", at: datetime = AT) -> Play:
    play = Play.of_wallet_event("BetPlaced", event_id, amount, currency, at)
    assert play is not None
    return play


def win(event_id: str, amount: int, currency: str = "EUR") -> Play:
    play = Play.of_wallet_event("BetSettled", event_id, amount, currency, AT)
    assert play is not None
    return play


def rollback(event_id: str, amount: int, currency: str = "EUR") -> Play:
    play = Play.of_wallet_event("BetRolledBack", event_id, amount, currency, AT)
    assert play is not None
    return play


# GgrTotalsStore ----------------------------------------------------------------------------------


def test_a_day_without_play_has_no_totals(totals: GgrTotalsStore) -> None:
    assert totals.day_totals(DAY) == []


def test_play_adds_up_once_per_event(totals: GgrTotalsStore) -> None:
    assert totals.add(bet("bet-1", 1_000)) is True
    assert totals.add(win("win-1", 300)) is True
    assert totals.add(rollback("rollback-1", 200)) is True
    assert totals.add(bet("bet-1", 1_000)) is False

    assert totals.day_totals(DAY) == [
        DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=1_000, wins=300, rolled_back_stakes=200))
    ]


def test_bonus_totals_are_kept_beside_the_cash_ones(totals: GgrTotalsStore) -> None:
    bonus = PlayTotals(bonus_bets=1, bonus_stakes=700, bonus_wins=50, bonus_rolled_back_stakes=20)
    totals.add(bet("bet-1", 1_000))
    totals.add(Play("bonus-1", DAY, "EUR", bonus))

    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=1_000).plus(bonus))]


def test_totals_are_per_currency_in_currency_order(totals: GgrTotalsStore) -> None:
    totals.add(bet("bet-usd", 40, "USD"))
    totals.add(bet("bet-eur", 10, "EUR"))
    totals.add(bet("bet-gbp", 20, "GBP"))

    assert [(line.currency, line.totals.stakes) for line in totals.day_totals(DAY)] == [
        ("EUR", 10),
        ("GBP", 20),
        ("USD", 40),
    ]


def test_totals_of_one_day_do_not_leak_into_another(totals: GgrTotalsStore) -> None:
    totals.add(bet("bet-1", 10, at=datetime(2029, 12, 30, 23, 59, 59, tzinfo=UTC)))
    totals.add(bet("bet-2", 20, at=datetime(2029, 12, 31, 0, 0, tzinfo=UTC)))

    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=20))]


def test_concurrent_redeliveries_count_each_event_once(totals: GgrTotalsStore) -> None:
    plays = [bet(f"bet-{n}", 5) for n in range(15)]
    counted: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        for play in plays:
            result = totals.add(play)
            with lock:
                counted.append(result)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counted.count(True) == len(plays)
    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=15, stakes=75))]


# ReportWriter ------------------------------------------------------------------------------------


def report(stakes: int) -> DailyGgrReport:
    return DailyGgrReport(DAY, (DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=stakes)),))


def test_every_file_of_the_report_is_stored_under_its_key(shelf: Shelf) -> None:
    writer = shelf.writer
    written = report(1_000)

    locations = writer.write(written)

    assert [location.rsplit("/", 4)[1:] for location in locations] == [
        ["reports", "ggr", "date=2029-12-31", "ggr.json"],
        ["reports", "ggr", "date=2029-12-31", "ggr.csv"],
    ]
    for file, location in zip(written.files(), locations, strict=True):
        assert location.endswith("/" + file.key)
        assert shelf.stored(file.key) == file.body


def test_writing_the_same_report_again_leaves_the_same_objects(shelf: Shelf) -> None:
    writer = shelf.writer
    json_key = report(1_000).files()[0].key
    writer.write(report(1_000))
    before = shelf.versions(json_key)

    writer.write(report(1_000))

    assert shelf.versions(json_key) == before
    assert shelf.stored(json_key) == report(1_000).files()[0].body


def test_a_changed_report_replaces_the_objects(shelf: Shelf) -> None:
    writer = shelf.writer
    writer.write(report(1_000))

    writer.write(report(2_500))

    for file in report(2_500).files():
        assert shelf.stored(file.key) == file.body
