"""A bet outside the player's active session (finding 6), where the jurisdiction asks for one.

uk-gc, mga and us-nj ask it (`bet_needs_session`, cited in docs/compliance.md); here the rule is on
whatever this project's jurisdiction, so the attack runs in every project with sessions and the wallet.
Through the API as Lambda calls it, on the AWS adapters against the moto server: the session is checked
by a ConditionCheck on its item inside the bet's own transaction. Whatever is wrong with the session,
one refusal that tells nothing (403 session_required), with the balance, and no money moves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.api.aws_parts import PARTS
from tests.api.http_api import OTHER_PLAYER, PLAYER, ApiClient

from {{ cookiecutter.package_name }} import compliance

pytestmark = pytest.mark.integration

OPENING = 1_000
STAKE = 100


@pytest.fixture(autouse=True)
def rule_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The jurisdiction's rule on, before the app composes its wallet (autouse fixtures come first)."""
    monkeypatch.setattr(compliance, "BET_NEEDS_SESSION", True)


@pytest.fixture
def betting(aws_api: ApiClient) -> ApiClient:
    """The AWS app with the rule on; the player holds 10.00 EUR."""
    api = aws_api
    deposit = {"transaction_id": "dep-1", "amount": OPENING, "currency": "EUR"}
    # What other modules need before money moves (player protection: the KYC gate).
    for part in PARTS:
        if hasattr(part, "before_money_moves"):
            part.before_money_moves(api, deposit)
    answer = api.post("/wallet/deposits", deposit)
    assert answer.status == 201, answer.json
    return api


def bet(session_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"transaction_id": "bet-1", "round_id": "r-1", "amount": STAKE, "currency": "EUR"}
    if session_id is not None:
        body["session_id"] = session_id
    return body


def ended(api: ApiClient) -> str:
    started: str = api.post("/sessions").json["session_id"]
    assert api.delete(f"/sessions/{started}").status in (200, 204)
    return started


def another_players(api: ApiClient) -> str:
    started: str = api.post("/sessions", player=OTHER_PLAYER).json["session_id"]
    return started


SESSIONS: dict[str, Callable[[ApiClient], str | None]] = {
    "no session": lambda api: None,
    "an unknown session": lambda api: "sess-made-up",
    "an ended session": ended,
    "another player's active session": another_players,
}


@pytest.mark.parametrize("session", SESSIONS.values(), ids=SESSIONS.keys())
def test_a_bet_outside_the_players_active_session_moves_no_money(
    betting: ApiClient, session: Callable[[ApiClient], str | None]
) -> None:
    response = betting.post("/wallet/bets", bet(session(betting)))

    assert (response.status, response.error["code"]) == (403, "session_required")
    assert response.json["balance"]["cash"] == OPENING
    assert betting.get("/wallet", player=PLAYER).json["cash"] == OPENING


def test_a_bet_in_the_players_active_session_is_taken(betting: ApiClient) -> None:
    session_id = betting.post("/sessions").json["session_id"]

    response = betting.post("/wallet/bets", bet(session_id))

    assert response.status == 201, response.json
    assert betting.get("/wallet", player=PLAYER).json["cash"] == OPENING - STAKE
