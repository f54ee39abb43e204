"""The ggrTotals worker (SQS, partial batch failures) and the dailyReport job (schedule or re-run)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from tests.support.bus import eventbridge_body, sqs_event
from tests.support.region import REGION

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_reporting import (
    InMemoryGgrTotalsStore,
    InMemoryReportWriter,
)
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.errors import ValidationFailed
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.reporting import (
    DailyGgrReporter,
    DailyTotals,
    GgrCounter,
    PlayTotals,
)
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers import daily_report, ggr_totals

PACKAGE = "{{ cookiecutter.package_name }}"
WALLET_SOURCE = f"{PACKAGE}.wallet"
PLAYED_AT = datetime(2029, 12, 31, 21, 0, tzinfo=UTC)
DAY = date(2029, 12, 31)  # the day before the test clock's (tests/conftest.py)


def wallet_body(
    name: str, transaction_id: str, amount: int, currency: str = "EUR", funds: str | None = None
) -> str:
    detail = {
        "player_id": "player-1",
        "transaction_id": transaction_id,
        "amount": amount,
        "currency": currency,
    }
    if funds is not None:
        detail["funds"] = funds
    return eventbridge_body(DomainEvent(name, WALLET_SOURCE, detail, f"round-{transaction_id}", PLAYED_AT))


def scheduled_event(event_id: str = "schedule-run-1", **extra: Any) -> dict[str, Any]:
    """What an EventBridge schedule passes to the function."""
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": "2030-01-01T00:15:00Z",
        "detail": {},
        **extra,
    }


@pytest.fixture
def totals() -> InMemoryGgrTotalsStore:
    return InMemoryGgrTotalsStore()


@pytest.fixture
def counter(totals: InMemoryGgrTotalsStore) -> GgrCounter:
    return GgrCounter(totals)


@pytest.fixture
def writer() -> InMemoryReportWriter:
    return InMemoryReportWriter()


@pytest.fixture
def reporter(
    totals: InMemoryGgrTotalsStore,
    writer: InMemoryReportWriter,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> DailyGgrReporter:
    return DailyGgrReporter(totals, writer, publisher, clock, f"{PACKAGE}.reporting")


# ggrTotals ---------------------------------------------------------------------------------------


def test_bets_wins_and_rollbacks_add_up_per_currency(
    counter: GgrCounter, totals: InMemoryGgrTotalsStore
) -> None:
    batch = sqs_event(
        wallet_body("BetPlaced", "bet-1", 1_000),
        wallet_body("BetSettled", "win-1", 600),
        wallet_body("BetPlaced", "bet-2", 400),
        wallet_body("BetRolledBack", "rollback-1", 400),
        wallet_body("BetPlaced", "bet-3", 900, "GBP"),
    )

    assert ggr_totals.process_batch(batch, counter) == {"batchItemFailures": []}
    assert totals.day_totals(DAY) == [
        DailyTotals(DAY, "EUR", PlayTotals(bets=2, stakes=1_400, wins=600, rolled_back_stakes=400)),
        DailyTotals(DAY, "GBP", PlayTotals(bets=1, stakes=900)),
    ]


def test_bonus_funded_play_is_counted_apart_from_cash_and_is_not_ggr(
    counter: GgrCounter, totals: InMemoryGgrTotalsStore
) -> None:
    batch = sqs_event(
        wallet_body("BetPlaced", "bet-1", 1_000, funds="cash"),
        wallet_body("BetPlaced", "bonus-bet-1", 2_000, funds="bonus"),
        wallet_body("BetSettled", "bonus-win-1", 500, funds="bonus"),
        wallet_body("BetRolledBack", "bonus-rollback-1", 2_000, funds="bonus"),
    )

    assert ggr_totals.process_batch(batch, counter) == {"batchItemFailures": []}
    [line] = totals.day_totals(DAY)
    assert line.totals == PlayTotals(
        bets=1, stakes=1_000, bonus_bets=1, bonus_stakes=2_000, bonus_wins=500, bonus_rolled_back_stakes=2_000
    )
    assert line.totals.ggr == 1_000


def test_a_redelivered_event_is_counted_once(counter: GgrCounter, totals: InMemoryGgrTotalsStore) -> None:
    bet = wallet_body("BetPlaced", "bet-1", 1_000)

    first = ggr_totals.process_batch(sqs_event(bet, bet), counter)
    redelivered = ggr_totals.process_batch(sqs_event(bet), counter)

    assert first == redelivered == {"batchItemFailures": []}
    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=1_000))]


def poison(**detail: Any) -> str:
    base = {"event_id": "e-1", "amount": 100, "currency": "EUR", "occurred_at": PLAYED_AT.isoformat()}
    return json.dumps({"detail-type": "BetPlaced", "source": WALLET_SOURCE, "detail": {**base, **detail}})


@pytest.mark.parametrize(
    "bad_body",
    [
        pytest.param("not json at all", id="not-json"),
        pytest.param(json.dumps({"detail-type": "BetPlaced"}), id="no-detail"),
        pytest.param(json.dumps({"detail-type": "BetPlaced", "detail": "text"}), id="detail-not-object"),
        pytest.param(poison(event_id=None), id="no-event-id"),
        pytest.param(poison(amount="100"), id="amount-as-text"),
        pytest.param(poison(amount=-5), id="negative-amount"),
        pytest.param(poison(amount=True), id="amount-as-boolean"),
        pytest.param(poison(currency="euro"), id="bad-currency"),
        pytest.param(poison(funds="credit"), id="unknown-funds"),
        pytest.param(poison(funds=1), id="funds-not-text"),
        pytest.param(poison(occurred_at=None), id="no-time"),
        pytest.param(poison(occurred_at="2029-12-31T21:00:00"), id="time-without-offset"),
        pytest.param(poison(occurred_at="yesterday"), id="time-not-iso"),
    ],
)
def test_a_malformed_record_fails_alone_and_the_rest_of_the_batch_is_counted(
    counter: GgrCounter, totals: InMemoryGgrTotalsStore, bad_body: str
) -> None:
    before = wallet_body("BetPlaced", "bet-1", 100)
    after = wallet_body("BetPlaced", "bet-2", 200)

    result = ggr_totals.process_batch(sqs_event(before, bad_body, after), counter)

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-2"}]}
    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=2, stakes=300))]


def test_events_that_move_no_ggr_are_acknowledged_and_ignored(
    counter: GgrCounter, totals: InMemoryGgrTotalsStore
) -> None:
    deposit = wallet_body("FundsDeposited", "deposit-1", 5_000)
    rollback_of_a_bet_never_seen = wallet_body("BetRolledBack", "rollback-1", 0, currency="")

    result = ggr_totals.process_batch(sqs_event(deposit, rollback_of_a_bet_never_seen), counter)

    assert result == {"batchItemFailures": []}
    assert totals.day_totals(DAY) == []


def test_ggr_entry_point_uses_the_module_counter(
    monkeypatch: pytest.MonkeyPatch, counter: GgrCounter, totals: InMemoryGgrTotalsStore
) -> None:
    monkeypatch.setattr(ggr_totals, "_counter", counter)

    assert ggr_totals.handler(sqs_event(wallet_body("BetPlaced", "bet-1", 300)), object()) == {
        "batchItemFailures": []
    }
    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=300))]


def test_what_the_wallet_publishes_is_what_the_worker_counts(
    counter: GgrCounter, totals: InMemoryGgrTotalsStore
) -> None:
    published = InMemoryEventPublisher()
    wallet = Wallet(InMemoryLedgerStore(relay=published), FixedClock(PLAYED_AT), WALLET_SOURCE)
    wallet.deposit("player-1", "deposit-1", Money(5_000, "EUR"), correlation_id="c-1")
    wallet.place_bet("player-1", "bet-1", Money(1_000, "EUR"), correlation_id="c-2")
    wallet.settle_win("player-1", "win-1", "bet-1", Money(2_500, "EUR"), correlation_id="c-3")
    wallet.place_bet("player-1", "bet-2", Money(300, "EUR"), correlation_id="c-4")
    wallet.rollback_bet("player-1", "rollback-1", "bet-2", correlation_id="c-5")
    wallet.rollback_bet("player-1", "rollback-2", "bet-never-placed", correlation_id="c-6")

    batch = sqs_event(*(eventbridge_body(event) for event in published.events))

    assert ggr_totals.process_batch(batch, counter) == {"batchItemFailures": []}
    assert totals.day_totals(DAY) == [
        DailyTotals(DAY, "EUR", PlayTotals(bets=2, stakes=1_300, wins=2_500, rolled_back_stakes=300))
    ]


# dailyReport -------------------------------------------------------------------------------------


def test_the_scheduled_run_writes_yesterdays_report_under_the_schedules_correlation_id(
    counter: GgrCounter,
    reporter: DailyGgrReporter,
    writer: InMemoryReportWriter,
    publisher: InMemoryEventPublisher,
) -> None:
    ggr_totals.process_batch(sqs_event(wallet_body("BetPlaced", "bet-1", 1_000)), counter)

    summary = daily_report.run(scheduled_event("schedule-run-1"), reporter)

    assert summary["report_date"] == "2029-12-31"
    assert summary["currencies"] == 1
    assert set(writer.objects) == {
        "reports/ggr/date=2029-12-31/ggr.json",
        "reports/ggr/date=2029-12-31/ggr.csv",
    }
    [written] = publisher.events
    assert written.name == "DailyReportWritten"
    assert written.correlation_id == "schedule-run-1"


def test_a_re_run_names_its_date(reporter: DailyGgrReporter, writer: InMemoryReportWriter) -> None:
    summary = daily_report.run({"date": "2029-11-26"}, reporter)

    assert summary["report_date"] == "2029-11-26"
    assert "reports/ggr/date=2029-11-26/ggr.json" in writer.objects


def test_running_a_day_twice_publishes_the_same_event_and_keeps_the_objects(
    counter: GgrCounter,
    reporter: DailyGgrReporter,
    writer: InMemoryReportWriter,
    publisher: InMemoryEventPublisher,
) -> None:
    ggr_totals.process_batch(sqs_event(wallet_body("BetPlaced", "bet-1", 1_000)), counter)
    daily_report.run(scheduled_event("schedule-run-1"), reporter)
    objects = dict(writer.objects)

    daily_report.run({"date": "2029-12-31"}, reporter)

    assert writer.objects == objects
    assert writer.writes == 2
    first, again = publisher.events
    assert first.event_id == again.event_id


@pytest.mark.parametrize("bad_date", ["2029-02-30", "31/12/2029", 20291231, None, "2030-01-01"])
def test_a_bad_or_unfinished_date_is_refused_and_nothing_is_written(
    reporter: DailyGgrReporter,
    writer: InMemoryReportWriter,
    publisher: InMemoryEventPublisher,
    bad_date: object,
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        daily_report.run({"date": bad_date}, reporter)

    assert refused.value.field == "date"
    assert writer.objects == {}
    assert publisher.events == []


def test_report_entry_point_uses_the_module_reporter(
    monkeypatch: pytest.MonkeyPatch, reporter: DailyGgrReporter, writer: InMemoryReportWriter
) -> None:
    monkeypatch.setattr(daily_report, "_reporter", reporter)

    assert daily_report.handler(scheduled_event(), object())["report_date"] == "2029-12-31"
    assert "reports/ggr/date=2029-12-31/ggr.csv" in writer.objects


# Both functions on AWS (the moto server): built from their environment like the deployed ones -----


@pytest.fixture
def aws_reporting_environment(
    monkeypatch: pytest.MonkeyPatch, aws_tables: dict[str, str], events_client: Any
) -> dict[str, str]:
    s3 = boto3.client("s3")
    bucket = f"analytics-{uuid.uuid4().hex[:12]}"
    extra = {} if REGION == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
    s3.create_bucket(Bucket=bucket, **extra)
    bus = f"bus-{uuid.uuid4().hex[:12]}"
    events_client.create_event_bus(Name=bus)
    environment = {
        "EVENT_BUS_NAME": bus,
        "REPORTING_TABLE_NAME": aws_tables["ReportingTable"],
        "ANALYTICS_BUCKET_NAME": bucket,
        **{f"{name.removesuffix('Table').upper()}_TABLE_NAME": table for name, table in aws_tables.items()},
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(ggr_totals, "_counter", None)
    monkeypatch.setattr(daily_report, "_reporter", None)
    return environment


@pytest.mark.integration
def test_on_aws_counted_play_reaches_the_report_in_the_bucket(
    aws_reporting_environment: dict[str, str],
) -> None:
    today = datetime.now(UTC).date()
    bet = DomainEvent(
        "BetPlaced",
        WALLET_SOURCE,
        {"player_id": "player-1", "transaction_id": "bet-1", "amount": 700, "currency": "EUR"},
        "round-1",
        datetime.combine(today - timedelta(days=1), datetime.min.time(), UTC),
    )

    assert ggr_totals.handler(sqs_event(eventbridge_body(bet)), object()) == {"batchItemFailures": []}
    summary = daily_report.handler(scheduled_event("schedule-aws"), object())

    bucket = aws_reporting_environment["ANALYTICS_BUCKET_NAME"]
    key = f"reports/ggr/date={(today - timedelta(days=1)).isoformat()}/ggr.json"
    assert summary["locations"][0] == f"s3://{bucket}/{key}"
    body = json.loads(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    assert body["currencies"] == [
        {
            "currency": "EUR",
            "bets": 1,
            "stakes": 700,
            "wins": 0,
            "rolled_back_stakes": 0,
            "ggr": 700,
            "bonus_bets": 0,
            "bonus_stakes": 0,
            "bonus_wins": 0,
            "bonus_rolled_back_stakes": 0,
            "bonus_ggr": 0,
        }
    ]
