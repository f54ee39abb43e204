"""Attacks on server identity (finding 5): player tokens on server routes, server tokens on player routes.

Server callers hold their own tokens (their OAuth client, their routes' scope); players hold theirs. A
token of one kind must never pass for the other, whatever scopes it carries.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.api.http_api import (
    PLAYER,
    SERVER_CLIENTS,
    SERVER_SCOPES,
    STAND_INS,
    ApiClient,
    signature_headers,
)

from {{ cookiecutter.package_name }}.api.server_calls import GAME_SERVER, PAYMENT_PROVIDER
from {{ cookiecutter.package_name }}.registry import MODULES

# Every scope a server caller's token may carry.
ALL_SERVER_SCOPES = tuple(sorted({scope for scopes in SERVER_SCOPES.values() for scope in scopes}))
MONEY = {"amount": 500, "currency": "EUR"}
# The server calls of each module that has some: (path, signed body).
MODULE_SERVER_CALLS = {
    "wallet": [
        pytest.param(
            "/wallet/deposits", {"kind": "deposit", "transaction_id": "dep-x", **MONEY}, id="deposit"
        ),
        pytest.param(
            "/wallet/withdrawals", {"kind": "withdrawal", "transaction_id": "wd-x", **MONEY}, id="withdrawal"
        ),
        pytest.param(
            "/wallet/wins",
            {
                "kind": "win",
                "transaction_id": "win-x",
                "bet_transaction_id": "bet-1",
                "round_id": "r-1",
                **MONEY,
            },
            id="win",
        ),
        pytest.param(
            "/wallet/rollbacks",
            {"kind": "rollback", "transaction_id": "rb-x", "bet_transaction_id": "bet-1", "round_id": "r-1"},
            id="rollback",
        ),
    ],
    "responsible_gaming": [pytest.param(f"/players/{PLAYER}/kyc", {"status": "rejected"}, id="kyc")],
}
# Those of the modules the registry lists.
SERVER_CALLS = [call for module in MODULES for call in MODULE_SERVER_CALLS.get(module, [])]
# A player's routes of each module that has some: (method, path, body).
MODULE_PLAYER_ROUTES = {
    "wallet": [
        pytest.param("GET", "/wallet", None, id="balance"),
        pytest.param(
            "POST", "/wallet/bets", {"transaction_id": "bet-x", "round_id": "r-1", **MONEY}, id="bet"
        ),
    ],
    "sessions": [pytest.param("POST", "/sessions", None, id="sign-in")],
    "responsible_gaming": [
        pytest.param("POST", "/players/me/self-exclusion", {"months": 12}, id="self-exclusion"),
        pytest.param("GET", "/players/me/protection", None, id="protection"),
    ],
    "promotions": [pytest.param("GET", "/promotions/me", None, id="promotions")],
    "notifications": [
        pytest.param(
            "POST", "/players/me/notification-preferences", {"marketing": True}, id="marketing-opt-in"
        )
    ],
    "leaderboards": [pytest.param("GET", "/missions/me", None, id="missions")],
}
# Those of the modules the registry lists.
PLAYER_ROUTES = [route for module in MODULES for route in MODULE_PLAYER_ROUTES.get(module, [])]


@pytest.fixture
def funded(api: ApiClient) -> ApiClient:
    """PLAYER holds 100.00 EUR and has bet 1.00 EUR (bet-1)."""
    deposit = {"transaction_id": "dep-1", "amount": 10_000, "currency": "EUR"}
    assert api.post("/wallet/deposits", deposit).status == 201
    bet = {"transaction_id": "bet-1", "round_id": "r-1", "amount": 100, "currency": "EUR"}
    assert api.post("/wallet/bets", bet).status == 201
    return api


def cash(api: ApiClient) -> int:
    balance: int = api.get("/wallet").json["cash"]
    return balance


@pytest.mark.parametrize(("path", "body"), SERVER_CALLS)
def test_a_players_token_with_every_server_scope_is_refused_on_server_routes(
    funded: ApiClient, path: str, body: dict[str, Any]
) -> None:
    """Even signed by the right server, a call made with a player's token is refused."""
    signed = json.dumps({"player_id": PLAYER, **body})
    route = STAND_INS.route("POST", path)
    assert route is not None
    headers = signature_headers(route[0], "POST", path, signed)
    before = cash(funded)

    response = funded.post(path, raw_body=signed, headers=headers, as_player=True, scopes=ALL_SERVER_SCOPES)

    assert (response.status, response.error["code"]) == (403, "forbidden")
    assert cash(funded) == before


@pytest.mark.parametrize("caller", sorted(SERVER_CLIENTS))
@pytest.mark.parametrize(("method", "path", "body"), PLAYER_ROUTES)
def test_a_server_token_is_refused_on_every_player_route(
    funded: ApiClient, caller: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    """A server never bets, signs in, self-excludes or opts in as a player, whatever its token's subject."""
    client = SERVER_CLIENTS[caller]
    before = cash(funded)

    scopes = ALL_SERVER_SCOPES

    as_subject = funded.request(method, path, body, player=client, scopes=scopes, client_id=client)
    for_the_player = funded.request(method, path, body, player=PLAYER, scopes=scopes, client_id=client)

    assert [as_subject.status, for_the_player.status] == [403, 403]
    assert for_the_player.error["code"] == "forbidden"
    assert cash(funded) == before


def test_each_server_calls_only_its_own_routes(funded: ApiClient) -> None:
    """The game server moves no payment, the payment provider settles no game, whatever their scopes."""
    deposit = {"transaction_id": "dep-2", "amount": 500, "currency": "EUR"}
    win = {
        "transaction_id": "win-2",
        "bet_transaction_id": "bet-1",
        "round_id": "r-1",
        "amount": 500,
        "currency": "EUR",
    }

    by_the_game_server = funded.post("/wallet/deposits", deposit, caller=GAME_SERVER)
    by_the_payment_provider = funded.post("/wallet/wins", win, caller=PAYMENT_PROVIDER)

    assert [by_the_game_server.status, by_the_payment_provider.status] == [403, 403]
    assert cash(funded) == 9_900
