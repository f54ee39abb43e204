"""Attacks on the reports (finding 8): bonus-funded play passed off as gross gaming revenue.

Bets placed through the API as Lambda calls it (HTTP API events into serverless_wsgi), their wins
sent by the game server; the events the wallet published are then counted by the ggrTotals worker
and reported by the dailyReport job, as on AWS.
"""

from __future__ import annotations

from datetime import timedelta

from tests.api.http_api import ApiClient
from tests.support.bus import eventbridge_body, sqs_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_reporting import (
    InMemoryGgrTotalsStore,
    InMemoryReportWriter,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.reporting import DailyGgrReporter, GgrCounter
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers import ggr_totals

PLAYER = "player-1"


def test_bonus_funded_bets_and_wins_are_not_reported_as_ggr(
    api: ApiClient, wallet: Wallet, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    assert (
        api.post("/wallet/deposits", {"transaction_id": "dep-1", "amount": 1_000, "currency": "EUR"}).status
        == 201
    )
    # The casino's own money: a bonus granted (as promotions would), then played by the player.
    wallet.grant_bonus(PLAYER, "bonus-1", Money(50_000, "EUR"), correlation_id="promo")
    cash_bet = {"transaction_id": "bet-cash", "amount": 500, "currency": "EUR", "round_id": "round-cash"}
    assert api.post("/wallet/bets", cash_bet).status == 201
    for number in range(10):
        bonus_bet = {
            "transaction_id": f"bet-bonus-{number}",
            "amount": 5_000,
            "currency": "EUR",
            "funds": "bonus",
            "round_id": f"round-bonus-{number}",
        }
        assert api.post("/wallet/bets", bonus_bet).status == 201
    bonus_win = {
        "transaction_id": "win-bonus",
        "bet_transaction_id": "bet-bonus-0",
        "round_id": "round-bonus-0",
        "amount": 1_000,
        "currency": "EUR",
    }
    assert api.post("/wallet/wins", bonus_win).status == 201
    totals = InMemoryGgrTotalsStore()

    batch = sqs_event(*[eventbridge_body(event) for event in publisher.events])
    assert ggr_totals.process_batch(batch, GgrCounter(totals)) == {"batchItemFailures": []}
    clock.advance(timedelta(days=1))
    reporter = DailyGgrReporter(totals, InMemoryReportWriter(), InMemoryEventPublisher(), clock, "reports")
    [line] = reporter.write_report(correlation_id="daily").report.as_json()["currencies"]

    assert (line["bets"], line["stakes"], line["wins"], line["ggr"]) == (1, 500, 0, 500)
    assert (line["bonus_bets"], line["bonus_stakes"], line["bonus_wins"], line["bonus_ggr"]) == (
        10,
        50_000,
        1_000,
        49_000,
    )
