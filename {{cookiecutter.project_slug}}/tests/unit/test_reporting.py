"""Daily GGR: play counted once per event on its UTC day, and a report that is the same when rewritten."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_reporting import (
    InMemoryGgrTotalsStore,
    InMemoryReportWriter,
)
from {{ cookiecutter.package_name }}.domain.errors import ValidationFailed
from {{ cookiecutter.package_name }}.domain.reporting import (
    DailyGgrReport,
    DailyGgrReporter,
    DailyTotals,
    GgrCounter,
    Play,
    PlayTotals,
    report_date,
)

SOURCE = "{{ cookiecutter.package_name }}.reporting"
# The test clock's day is 2030-01-01 (tests/conftest.py): the last finished day is 2029-12-31.
YESTERDAY = date(2029, 12, 31)
PLAYED_AT = datetime(2029, 12, 31, 20, 0, tzinfo=UTC)
DEFINITION = (
    "ggr = stakes - rolled_back_stakes - wins of cash play, in minor units, per UTC day; "
    "bonus-funded play is counted apart (bonus_*) and is not GGR"
)
NO_BONUS_PLAY = {
    "bonus_bets": 0,
    "bonus_stakes": 0,
    "bonus_wins": 0,
    "bonus_rolled_back_stakes": 0,
    "bonus_ggr": 0,
}


@pytest.fixture
def totals() -> InMemoryGgrTotalsStore:
    return InMemoryGgrTotalsStore()


@pytest.fixture
def writer() -> InMemoryReportWriter:
    return InMemoryReportWriter()


@pytest.fixture
def counter(totals: InMemoryGgrTotalsStore) -> GgrCounter:
    return GgrCounter(totals)


@pytest.fixture
def reporter(
    totals: InMemoryGgrTotalsStore,
    writer: InMemoryReportWriter,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> DailyGgrReporter:
    return DailyGgrReporter(totals, writer, publisher, clock, SOURCE)


def play(name: str, event_id: str, amount: int, currency: str = "EUR", at: datetime = PLAYED_AT) -> Play:
    made = Play.of_wallet_event(name, event_id, amount, currency, at)
    assert made is not None
    return made


def test_ggr_is_stakes_less_rolled_back_stakes_less_wins() -> None:
    totals = PlayTotals(bets=3, stakes=1_000, wins=400, rolled_back_stakes=100)

    assert totals.ggr == 500
    assert PlayTotals(bets=1, stakes=100, wins=350).ggr == -250  # a losing day for the house


@pytest.mark.parametrize(
    ("event_name", "expected"),
    [
        ("BetPlaced", PlayTotals(bonus_bets=1, bonus_stakes=250)),
        ("BetSettled", PlayTotals(bonus_wins=250)),
        ("BetRolledBack", PlayTotals(bonus_rolled_back_stakes=250)),
    ],
)
def test_bonus_funded_play_moves_the_bonus_totals_only(event_name: str, expected: PlayTotals) -> None:
    bonus_play = Play.of_wallet_event(event_name, "event-1", 250, "EUR", PLAYED_AT, funds="bonus")

    assert bonus_play is not None
    assert bonus_play.totals == expected
    assert bonus_play.totals.ggr == 0


def test_ggr_counts_cash_only_with_the_bonus_figures_beside_it(
    counter: GgrCounter, reporter: DailyGgrReporter, writer: InMemoryReportWriter
) -> None:
    for name, event_id, amount, funds in [
        ("BetPlaced", "cash-bet", 1_000, "cash"),
        ("BetSettled", "cash-win", 400, "cash"),
        ("BetPlaced", "bonus-bet-1", 5_000, "bonus"),
        ("BetPlaced", "bonus-bet-2", 1_000, "bonus"),
        ("BetSettled", "bonus-win", 2_000, "bonus"),
        ("BetRolledBack", "bonus-rollback", 1_000, "bonus"),
    ]:
        counted = Play.of_wallet_event(name, event_id, amount, "EUR", PLAYED_AT, funds=funds)
        assert counted is not None
        counter.count(counted)

    [line] = reporter.write_report(correlation_id="schedule-1").report.as_json()["currencies"]

    assert line == {
        "currency": "EUR",
        "bets": 1,
        "stakes": 1_000,
        "wins": 400,
        "rolled_back_stakes": 0,
        "ggr": 600,
        "bonus_bets": 2,
        "bonus_stakes": 6_000,
        "bonus_wins": 2_000,
        "bonus_rolled_back_stakes": 1_000,
        "bonus_ggr": 3_000,
    }


def test_unknown_funds_are_refused_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        Play.of_wallet_event("BetPlaced", "event-1", 250, "EUR", PLAYED_AT, funds="credit")

    assert refused.value.field == "funds"


@pytest.mark.parametrize(
    ("event_name", "expected"),
    [
        ("BetPlaced", PlayTotals(bets=1, stakes=250)),
        ("BetSettled", PlayTotals(wins=250)),
        ("BetRolledBack", PlayTotals(rolled_back_stakes=250)),
    ],
)
def test_each_wallet_play_event_moves_its_own_total(event_name: str, expected: PlayTotals) -> None:
    assert play(event_name, "event-1", 250).totals == expected


@pytest.mark.parametrize(
    ("event_name", "amount"),
    [("FundsDeposited", 500), ("BonusGranted", 500), ("BetRolledBack", 0)],
    ids=["deposit", "bonus-grant", "rollback-of-a-bet-that-never-arrived"],
)
def test_events_that_move_no_ggr_make_no_play(event_name: str, amount: int) -> None:
    assert Play.of_wallet_event(event_name, "event-1", amount, "EUR", PLAYED_AT) is None


def test_play_is_counted_on_its_utc_day() -> None:
    late_evening_west_of_utc = datetime(2029, 12, 30, 23, 30, tzinfo=timezone(timedelta(hours=-2)))

    assert play("BetPlaced", "bet-1", 100, at=late_evening_west_of_utc).day == date(2029, 12, 31)


def test_each_event_is_counted_once(counter: GgrCounter, totals: InMemoryGgrTotalsStore) -> None:
    bet = play("BetPlaced", "bet-1", 300)

    assert counter.count(bet) is True
    assert counter.count(bet) is False

    assert totals.day_totals(YESTERDAY) == [DailyTotals(YESTERDAY, "EUR", PlayTotals(bets=1, stakes=300))]


def test_totals_are_kept_apart_per_day_and_currency(
    counter: GgrCounter, totals: InMemoryGgrTotalsStore
) -> None:
    counter.count(play("BetPlaced", "bet-eur", 300, "EUR"))
    counter.count(play("BetPlaced", "bet-gbp", 700, "GBP"))
    counter.count(play("BetPlaced", "bet-next-day", 900, "EUR", at=PLAYED_AT + timedelta(days=1)))

    assert totals.day_totals(YESTERDAY) == [
        DailyTotals(YESTERDAY, "EUR", PlayTotals(bets=1, stakes=300)),
        DailyTotals(YESTERDAY, "GBP", PlayTotals(bets=1, stakes=700)),
    ]


def test_the_daily_run_reports_yesterday_in_json_and_csv(
    counter: GgrCounter, reporter: DailyGgrReporter, writer: InMemoryReportWriter
) -> None:
    counter.count(play("BetPlaced", "bet-1", 1_000))
    counter.count(play("BetPlaced", "bet-2", 500))
    counter.count(play("BetSettled", "win-1", 1_200))
    counter.count(play("BetRolledBack", "rollback-1", 500))

    written = reporter.write_report(correlation_id="schedule-1")

    assert written.report.day == YESTERDAY
    folder = "reports/ggr/date=2029-12-31/"
    assert written.locations == (f"memory://{folder}ggr.json", f"memory://{folder}ggr.csv")
    assert json.loads(writer.objects[folder + "ggr.json"]) == {
        "report": "ggr",
        "date": "2029-12-31",
        "definition": DEFINITION,
        "currencies": [
            {
                "currency": "EUR",
                "bets": 2,
                "stakes": 1_500,
                "wins": 1_200,
                "rolled_back_stakes": 500,
                "ggr": -200,
                "bonus_bets": 0,
                "bonus_stakes": 0,
                "bonus_wins": 0,
                "bonus_rolled_back_stakes": 0,
                "bonus_ggr": 0,
            }
        ],
    }
    rows = list(csv.DictReader(io.StringIO(writer.objects[folder + "ggr.csv"].decode())))
    assert rows == [
        {
            "date": "2029-12-31",
            "currency": "EUR",
            "bets": "2",
            "stakes": "1500",
            "wins": "1200",
            "rolled_back_stakes": "500",
            "ggr": "-200",
            "bonus_bets": "0",
            "bonus_stakes": "0",
            "bonus_wins": "0",
            "bonus_rolled_back_stakes": "0",
            "bonus_ggr": "0",
        }
    ]


def test_the_report_is_announced_with_the_runs_correlation_id(
    counter: GgrCounter, reporter: DailyGgrReporter, publisher: InMemoryEventPublisher
) -> None:
    counter.count(play("BetPlaced", "bet-1", 1_000))

    written = reporter.write_report(correlation_id="schedule-1")

    [event] = publisher.events
    assert (event.name, event.source, event.correlation_id) == ("DailyReportWritten", SOURCE, "schedule-1")
    assert event.detail["report_date"] == "2029-12-31"
    assert event.detail["locations"] == list(written.locations)
    assert event.detail["currencies"] == [
        {
            "currency": "EUR",
            "bets": 1,
            "stakes": 1_000,
            "wins": 0,
            "rolled_back_stakes": 0,
            "ggr": 1_000,
            **NO_BONUS_PLAY,
        }
    ]


def test_rewriting_a_day_gives_the_same_objects_and_the_same_event_id(
    counter: GgrCounter,
    reporter: DailyGgrReporter,
    writer: InMemoryReportWriter,
    publisher: InMemoryEventPublisher,
) -> None:
    counter.count(play("BetPlaced", "bet-1", 1_000))
    reporter.write_report(correlation_id="schedule-1")
    objects, writes = dict(writer.objects), writer.writes

    reporter.write_report(YESTERDAY, correlation_id="re-run")

    assert writer.objects == objects
    assert writer.writes == writes == 2
    first, again = publisher.events
    assert first.event_id == again.event_id


def test_a_late_event_of_the_day_changes_the_rewritten_report(
    counter: GgrCounter, reporter: DailyGgrReporter, writer: InMemoryReportWriter
) -> None:
    counter.count(play("BetPlaced", "bet-1", 1_000))
    reporter.write_report(correlation_id="schedule-1")

    counter.count(play("BetSettled", "win-1", 300))  # redriven from the dead-letter queue
    written = reporter.write_report(YESTERDAY, correlation_id="re-run")

    assert written.report.currencies[0].totals.ggr == 700
    assert json.loads(writer.objects["reports/ggr/date=2029-12-31/ggr.json"])["currencies"][0]["ggr"] == 700


def test_a_day_without_play_gets_an_empty_report(
    reporter: DailyGgrReporter, writer: InMemoryReportWriter
) -> None:
    written = reporter.write_report(correlation_id="schedule-1")

    assert written.report.currencies == ()
    assert json.loads(writer.objects["reports/ggr/date=2029-12-31/ggr.json"])["currencies"] == []
    assert writer.objects["reports/ggr/date=2029-12-31/ggr.csv"].decode().splitlines() == [
        "date,currency,bets,stakes,wins,rolled_back_stakes,ggr,"
        "bonus_bets,bonus_stakes,bonus_wins,bonus_rolled_back_stakes,bonus_ggr"
    ]


@pytest.mark.parametrize("day", [date(2030, 1, 1), date(2030, 1, 2)], ids=["today", "tomorrow"])
def test_a_day_that_is_not_over_is_refused_and_nothing_is_written(
    reporter: DailyGgrReporter,
    writer: InMemoryReportWriter,
    publisher: InMemoryEventPublisher,
    day: date,
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        reporter.write_report(day, correlation_id="re-run")

    assert refused.value.field == "date"
    assert writer.objects == {}
    assert publisher.events == []


def test_report_date_reads_an_iso_calendar_date() -> None:
    assert report_date("2026-11-26") == date(2026, 11, 26)


@pytest.mark.parametrize(
    "raw",
    ["2026-11-31", "20261126", "26/11/2026", "", "2026-11-26T00:00:00", 20261126, None, ["2026-11-26"]],
)
def test_report_date_refuses_anything_else_naming_the_field(raw: object) -> None:
    with pytest.raises(ValidationFailed) as refused:
        report_date(raw)

    assert refused.value.field == "date"


def test_report_lists_currencies_in_order_whatever_order_it_was_given() -> None:
    day = date(2029, 12, 31)
    report = DailyGgrReport(
        day,
        (
            DailyTotals(day, "USD", PlayTotals(bets=1, stakes=10)),
            DailyTotals(day, "EUR", PlayTotals(bets=1, stakes=20)),
        ),
    )

    assert [line["currency"] for line in report.as_json()["currencies"]] == ["EUR", "USD"]
    assert report.to_csv().splitlines()[1].startswith("2029-12-31,EUR,")
