"""Hybrid mode with promotions: the operator's deposits and bets earn bonuses its own wallet credits.

The platform's events reach the promotions worker through the webhook's intake and the bus, as the
hosted wallet's events do; a promotion's bonus is credited by the operator's wallet (the local fake of
its platform, over signed HTTP), once per player and promotion whatever the redeliveries. The stakes of
settled bets stay in the operator's ledger, and so does the wagering of the bonuses its wallet holds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.handlers.test_promotions_worker import PLAYER, PROMOTIONS_SOURCE, RULES, tournament_entered
from tests.support.bus import sqs_event
from tests.support.operator_platform import bus_bodies, operator_platform
from tools.operator_platform import FakeOperatorPlatform, platform_event

from {{ cookiecutter.package_name }}.adapters.dynamodb_operator_wallet import DynamoPlatformEventLog
from {{ cookiecutter.package_name }}.adapters.dynamodb_promotions import DynamoPromotionStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_promotions import InMemoryPromotionStore
from {{ cookiecutter.package_name }}.domain.promotions import PromotionService
from {{ cookiecutter.package_name }}.handlers import promotions as worker
from {{ cookiecutter.package_name }}.handlers.promotion_bonuses import promotion_bonuses
from {{ cookiecutter.package_name }}.ports.promotions import PromotionStore

EXCLUDED = "player-excluded"
# The test rules are in EUR: the operator's wallet holds its players' money in EUR here.
CURRENCY = "EUR"
# While the test rules run (they start in 2029).
PLAYED_AT = "2030-01-01T12:00:00+00:00"


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOperatorPlatform]:
    with operator_platform(monkeypatch, excluded=frozenset({EXCLUDED}), currency=CURRENCY) as fake:
        yield fake


def hybrid_promotions(store: PromotionStore) -> PromotionService:
    """The promotions worker's service as the hybrid mode composes it: no hosted ledger."""
    publisher, clock = InMemoryEventPublisher(), FixedClock(datetime.now(UTC))
    package = "{{ cookiecutter.package_name }}"
    bonuses = promotion_bonuses(None, publisher, clock, package)
    return PromotionService(RULES, store, bonuses, None, publisher, clock, PROMOTIONS_SOURCE)


def deposit(player: str = PLAYER, amount: int = 4_000, name: str = "op-dep-1") -> dict[str, Any]:
    return platform_event("FundsDeposited", player, name, amount, CURRENCY, occurred_at=PLAYED_AT)


def outcomes(caplog: pytest.LogCaptureFixture) -> list[object]:
    return [
        getattr(record, "outcome", None) for record in caplog.records if record.msg == "promotions record"
    ]


def test_the_operators_first_deposit_earns_a_bonus_its_wallet_credits_once(
    platform: FakeOperatorPlatform,
) -> None:
    store = InMemoryPromotionStore()
    service = hybrid_promotions(store)
    deposited = bus_bodies(deposit())

    assert worker.process_batch(sqs_event(*deposited, *deposited), service) == {"batchItemFailures": []}
    assert worker.process_batch(sqs_event(*deposited), service) == {"batchItemFailures": []}

    [credit] = platform.credits.values()
    assert (credit["player_id"], credit["amount"], credit["currency"], credit["funds"]) == (
        PLAYER,
        2_000,
        CURRENCY,
        "bonus",
    )
    assert credit["transaction_id"] == "promo:welcome:player-1"
    [grant] = store.grants(PLAYER)
    assert (grant.amount, grant.currency, grant.wagering_required) == (2_000, CURRENCY, 4_000)


def test_the_operators_bets_and_a_tournament_entry_earn_their_bonuses(platform: FakeOperatorPlatform) -> None:
    service = hybrid_promotions(InMemoryPromotionStore())
    bets = bus_bodies(
        *(
            platform_event("BetPlaced", PLAYER, f"op-bet-{n}", 100, CURRENCY, occurred_at=PLAYED_AT)
            for n in (1, 2)
        )
    )

    result = worker.process_batch(sqs_event(*bets, tournament_entered()), service)

    assert result == {"batchItemFailures": []}
    assert sorted(credit["amount"] for credit in platform.credits.values()) == [300, 700]


def test_a_settled_bet_counts_no_stake_here_the_operators_wallet_tracks_wagering(
    platform: FakeOperatorPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    service = hybrid_promotions(InMemoryPromotionStore())
    win = platform_event("BetSettled", PLAYER, "op-win-1", 900, CURRENCY, bet_transaction_id="op-bet-1")

    assert worker.process_batch(sqs_event(*bus_bodies(deposit(), win)), service) == {"batchItemFailures": []}

    assert outcomes(caplog)[-1] == ["wagering tracked by the operator's wallet"]


def test_a_bonus_the_operator_refuses_for_an_excluded_player_is_acknowledged_and_not_recorded(
    platform: FakeOperatorPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    store = InMemoryPromotionStore()

    result = worker.process_batch(sqs_event(*bus_bodies(deposit(EXCLUDED))), hybrid_promotions(store))

    assert result == {"batchItemFailures": []}
    assert outcomes(caplog) == [["welcome: skipped: player excluded"]]
    assert store.grants(EXCLUDED) == []
    assert platform.credits == {}


def test_an_operator_that_keeps_failing_fails_the_record_for_a_retry(platform: FakeOperatorPlatform) -> None:
    platform.fail_next = 10
    deposited = bus_bodies(deposit())

    result = worker.process_batch(sqs_event(*deposited), hybrid_promotions(InMemoryPromotionStore()))

    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    platform.fail_next = 0
    assert worker.process_batch(sqs_event(*deposited), hybrid_promotions(InMemoryPromotionStore())) == {
        "batchItemFailures": []
    }
    assert len(platform.credits) == 1


@pytest.mark.integration
def test_the_operators_deposit_through_dynamodb_is_credited_once(
    platform: FakeOperatorPlatform, aws_tables: dict[str, str]
) -> None:
    log = DynamoPlatformEventLog(aws_tables["PlatformEventsTable"])
    store = DynamoPromotionStore(aws_tables["PromotionsTable"])
    deposited = bus_bodies(deposit(), deposit(), log=log)  # the platform sent it twice: published once

    assert len(deposited) == 1
    assert worker.process_batch(sqs_event(*deposited, *deposited), hybrid_promotions(store)) == {
        "batchItemFailures": []
    }

    assert [credit["amount"] for credit in platform.credits.values()] == [2_000]
    assert [grant.promotion_id for grant in store.grants(PLAYER)] == ["welcome"]
