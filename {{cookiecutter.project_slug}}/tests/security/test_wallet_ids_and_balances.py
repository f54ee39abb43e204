"""Attacks on the wallet's ids and answers (findings 3 and 10), through the API as Lambda calls it.

Finding 3: one player's transaction ids blocked another's, and a bet could take the id of a bonus the
backend grants, so the ids a caller has not used leaked by 409 against 403. Finding 10: a refusal did
not say what the player holds, which every casino aggregator's wallet answers with.
"""

from __future__ import annotations

from tests.api.http_api import OTHER_PLAYER, PLAYER, ApiClient


def deposit(api: ApiClient, player: str, transaction_id: str, amount: int) -> int:
    body = {"transaction_id": transaction_id, "amount": amount, "currency": "EUR"}
    return api.post("/wallet/deposits", body, player=player).status


def bet(api: ApiClient, player: str, transaction_id: str, amount: int) -> tuple[int, dict | None]:
    body = {"transaction_id": transaction_id, "round_id": f"round-{transaction_id}", "amount": amount}
    answer = api.post("/wallet/bets", {**body, "currency": "EUR"}, player=player)
    return answer.status, answer.json


def test_another_players_ids_can_neither_block_nor_be_probed(api: ApiClient) -> None:
    assert deposit(api, PLAYER, "dep-1", 1_000) == 201
    # The other player reuses the first player's deposit id for a bet, and a bonus grant's id shape.
    assert deposit(api, OTHER_PLAYER, "dep-b-1", 1_000) == 201
    for stolen in ("dep-1", "dep-b-1", f"promo:welcome-bonus:{PLAYER}"):
        status, _ = bet(api, OTHER_PLAYER, stolen, 10)
        assert status == 201, stolen  # its own id space: nothing of the first player's is in use
    # And the first player's own id space is untouched: the same ids are still free for it.
    status, _ = bet(api, PLAYER, "dep-b-1", 10)
    assert status == 201
    assert api.get("/wallet", player=PLAYER).json["cash"] == 990
    assert api.get("/wallet", player=OTHER_PLAYER).json["cash"] == 970


def test_a_refused_bet_answers_with_the_balance_it_left_untouched(api: ApiClient) -> None:
    assert deposit(api, PLAYER, "dep-1", 500) == 201

    status, answer = bet(api, PLAYER, "bet-too-big", 600)

    assert status == 402
    assert answer is not None
    assert answer["error"]["code"] == "insufficient_funds"
    assert answer["balance"] == {"currency": "EUR", "cash": 500, "bonus": 0}
    assert api.get("/wallet", player=PLAYER).json["cash"] == 500


def test_a_replayed_id_with_another_amount_answers_with_the_balance(api: ApiClient) -> None:
    assert deposit(api, PLAYER, "dep-1", 500) == 201
    assert bet(api, PLAYER, "bet-1", 100)[0] == 201

    status, answer = bet(api, PLAYER, "bet-1", 300)

    assert status == 409
    assert answer is not None
    assert answer["balance"]["cash"] == 400
