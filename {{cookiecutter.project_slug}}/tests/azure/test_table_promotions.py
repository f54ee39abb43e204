"""The promotions' Table Storage store on Azurite: the requests each operation costs.

The store's behaviour (grants once, the first deposit, bets and stakes once per event, races) is the shared
contract suite's (tests/contract/test_promotion_store_contract.py); this file pins the requests the
module docstring of adapters/table_promotions.py counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.support.fixtures_azure import RequestLog, operations_of

from {{ cookiecutter.package_name }}.adapters.table_promotions import TablePromotionStore
from {{ cookiecutter.package_name }}.domain.promotions import (
    BonusGrant,
    CountedStake,
    WageringProgress,
)

GRANTED_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def test_each_promotion_operation_costs_the_requests_the_store_documents(
    table_factory: Callable[..., Any],
) -> None:
    requests: RequestLog = []
    promotions = TablePromotionStore(table_factory(requests))
    costs: dict[str, list[str]] = {}

    def cost(name: str, operation: Callable[[], object]) -> None:
        requests.clear()
        operation()
        costs[name] = operations_of(requests)

    grant = BonusGrant("player/1", "welcome", "promo:welcome:player/1", 1_000, "EUR", 3_000, 0, GRANTED_AT)
    cost("record_grant", lambda: promotions.record_grant(grant))
    cost("grant", lambda: promotions.grant("player/1", "welcome"))
    cost("grants", lambda: promotions.grants("player/1"))
    cost("claim_first_deposit", lambda: promotions.claim_first_deposit("player/1", "deposit-1"))
    cost("claim_first_deposit, again", lambda: promotions.claim_first_deposit("player/1", "deposit-1"))
    cost("count_bet", lambda: promotions.count_bet("player/1", "welcome", "2030-01-01", "bet-event-1"))
    cost(
        "count_bet, redelivered",
        lambda: promotions.count_bet("player/1", "welcome", "2030-01-01", "bet-event-1"),
    )
    stake = CountedStake("bet-1", "settled-1")
    cost(
        "count_stake",
        lambda: promotions.count_stake(
            "player/1", stake, [WageringProgress("welcome", 0, 300, 3_000)], GRANTED_AT
        ),
    )
    cost("counted_stake", lambda: promotions.counted_stake("player/1", "bet-1"))

    assert costs == {
        "record_grant": ["write"],
        "grant": ["point read"],
        "grants": ["query"],
        "claim_first_deposit": ["write"],
        "claim_first_deposit, again": ["write", "point read"],
        "count_bet": ["point read", "transaction"],
        "count_bet, redelivered": ["point read", "transaction", "point read"],
        "count_stake": ["query", "transaction"],
        "counted_stake": ["point read"],
    }
    stored = promotions.grant("player/1", "welcome")
    assert stored is not None
    assert stored.wagered == 300
