"""Attacks on signed server calls (findings 1 and 4): replayed, re-routed, re-used and unsigned calls.

Each attack sends what an attacker could capture or forge, through the API as Lambda calls it.
"""

from __future__ import annotations

import json
import time

import pytest
from tests.api.http_api import OTHER_PLAYER, PLAYER, ApiClient, signature_headers

from {{ cookiecutter.package_name }}.api.server_calls import GAME_SERVER, PAYMENT_PROVIDER

WITHDRAWAL = {
    "player_id": PLAYER,
    "kind": "withdrawal",
    "transaction_id": "wd-9",
    "amount": 5_000,
    "currency": "EUR",
}


def cash(api: ApiClient, player: str = PLAYER) -> int:
    balance: int = api.get("/wallet", player=player).json["cash"]
    return balance


def test_a_refused_withdrawal_replayed_to_deposits_credits_nothing(api: ApiClient) -> None:
    body = json.dumps(WITHDRAWAL)
    captured = signature_headers(PAYMENT_PROVIDER, "POST", "/wallet/withdrawals", body)

    refused = api.post("/wallet/withdrawals", raw_body=body, headers=captured)
    replayed = api.post("/wallet/deposits", raw_body=body, headers=captured)

    assert refused.status == 402
    assert replayed.status == 401  # the signature covers the path
    assert cash(api) == 0


def test_a_withdrawal_body_signed_for_deposits_is_refused_by_its_kind(api: ApiClient) -> None:
    """Even a provider tricked into signing a withdrawal body for the deposits path credits nothing."""
    body = json.dumps(WITHDRAWAL)

    response = api.post(
        "/wallet/deposits",
        raw_body=body,
        headers=signature_headers(PAYMENT_PROVIDER, "POST", "/wallet/deposits", body),
    )

    assert (response.status, response.error["field"]) == (422, "kind")
    assert cash(api) == 0


def test_a_body_signed_without_a_player_is_refused_whoever_sends_it(api: ApiClient) -> None:
    body = json.dumps({"kind": "deposit", "transaction_id": "dep-9", "amount": 5_000, "currency": "EUR"})
    signed = signature_headers(PAYMENT_PROVIDER, "POST", "/wallet/deposits", body)

    with_a_players_token = api.post(
        "/wallet/deposits", raw_body=body, headers=signed, player=OTHER_PLAYER, as_player=True
    )
    with_the_providers_token = api.post(
        "/wallet/deposits", raw_body=body, headers=signed, player=OTHER_PLAYER
    )

    assert with_a_players_token.status == 403
    assert (with_the_providers_token.status, with_the_providers_token.error["field"]) == (422, "player_id")
    assert [cash(api, PLAYER), cash(api, OTHER_PLAYER)] == [0, 0]


def test_a_deposit_signed_for_one_player_cannot_be_spent_on_another(api: ApiClient) -> None:
    """The player is inside the signature: changing it breaks the signature."""
    body = {
        "player_id": PLAYER,
        "kind": "deposit",
        "transaction_id": "dep-7",
        "amount": 5_000,
        "currency": "EUR",
    }
    signed = signature_headers(PAYMENT_PROVIDER, "POST", "/wallet/deposits", json.dumps(body))

    response = api.post(
        "/wallet/deposits", raw_body=json.dumps({**body, "player_id": OTHER_PLAYER}), headers=signed
    )

    assert response.status == 401
    assert cash(api, OTHER_PLAYER) == 0


@pytest.mark.parametrize("age_seconds", [301, 3_600, -301])
def test_a_captured_call_replayed_outside_the_window_is_refused(api: ApiClient, age_seconds: int) -> None:
    body = json.dumps({**WITHDRAWAL, "kind": "deposit", "transaction_id": "dep-8"})
    old = signature_headers(
        PAYMENT_PROVIDER, "POST", "/wallet/deposits", body, at=int(time.time()) - age_seconds
    )

    response = api.post("/wallet/deposits", raw_body=body, headers=old)

    assert (response.status, response.error["code"]) == (401, "invalid_signature")
    assert cash(api) == 0


def test_a_game_server_win_replayed_as_another_win_is_refused(api: ApiClient) -> None:
    """Wins are signed by the game server: a captured win cannot be re-sent under another id."""
    api.post("/wallet/deposits", {"transaction_id": "dep-1", "amount": 1_000, "currency": "EUR"})
    api.post("/wallet/bets", {"transaction_id": "bet-1", "round_id": "r-1", "amount": 100, "currency": "EUR"})
    win = {
        "player_id": PLAYER,
        "kind": "win",
        "transaction_id": "win-1",
        "bet_transaction_id": "bet-1",
        "round_id": "r-1",
        "amount": 50,
        "currency": "EUR",
    }
    captured = signature_headers(GAME_SERVER, "POST", "/wallet/wins", json.dumps(win))

    first = api.post("/wallet/wins", raw_body=json.dumps(win), headers=captured)
    again = api.post(
        "/wallet/wins", raw_body=json.dumps({**win, "transaction_id": "win-2"}), headers=captured
    )

    assert [first.status, again.status] == [201, 401]
    assert cash(api) == 950
