"""Attacks on rounds (finding 2): wins beyond the round's cap, on a closed round, and refunds that keep wins.

A game server's credentials (or a bug in it) must not pay more on a round than its stakes allow, pay a
round twice after it closed, or refund a stake whose round has already paid out. Each attack goes
through the API as Lambda calls it; nothing refused may move money.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.http_api import PLAYER, ApiClient

from {{ cookiecutter.package_name }}.domain.wallet import DEFAULT_ROUND_CAP_MULTIPLE

STAKE = 100


@pytest.fixture
def betting(api: ApiClient) -> ApiClient:
    """The player holds 10.00 EUR and bet 1.00 EUR on round r-1."""
    deposit = api.post("/wallet/deposits", {"transaction_id": "dep-1", "amount": 1_000, "currency": "EUR"})
    bet = api.post(
        "/wallet/bets", {"transaction_id": "bet-1", "round_id": "r-1", "amount": STAKE, "currency": "EUR"}
    )
    assert (deposit.status, bet.status) == (201, 201)
    return api


def win(transaction_id: str, amount: int, **fields: Any) -> dict[str, Any]:
    return {
        "transaction_id": transaction_id,
        "bet_transaction_id": "bet-1",
        "round_id": "r-1",
        "amount": amount,
        "currency": "EUR",
        **fields,
    }


def cash(api: ApiClient) -> int:
    balance: int = api.get("/wallet", player=PLAYER).json["cash"]
    return balance


def test_many_wins_on_one_round_stop_at_its_cap(betting: ApiClient) -> None:
    cap = STAKE * DEFAULT_ROUND_CAP_MULTIPLE
    share = cap // 4

    answers = [betting.post("/wallet/wins", win(f"win-{n}", share)).status for n in range(6)]

    assert answers == [201, 201, 201, 201, 409, 409]
    assert cash(betting) == 1_000 - STAKE + cap


def test_a_huge_win_on_a_small_stake_is_refused(betting: ApiClient) -> None:
    response = betting.post("/wallet/wins", win("win-1", 10**12))

    assert (response.status, response.error["code"]) == (409, "round_cap_exceeded")
    assert cash(betting) == 1_000 - STAKE


def test_a_closed_round_takes_no_more_wins(betting: ApiClient) -> None:
    final = betting.post("/wallet/wins", win("win-1", 50, close_round=True))
    late = betting.post("/wallet/wins", win("win-2", 50))

    assert final.status == 201
    assert (late.status, late.error["code"]) == (409, "round_closed")
    assert cash(betting) == 1_000 - STAKE + 50


def test_a_rollback_of_a_bet_whose_round_paid_a_win_is_refused(betting: ApiClient) -> None:
    paid = betting.post("/wallet/wins", win("win-1", 500))
    refund = betting.post(
        "/wallet/rollbacks", {"transaction_id": "rb-1", "bet_transaction_id": "bet-1", "round_id": "r-1"}
    )

    assert paid.status == 201
    assert (refund.status, refund.error["code"]) == (409, "round_has_wins")
    assert cash(betting) == 1_000 - STAKE + 500
