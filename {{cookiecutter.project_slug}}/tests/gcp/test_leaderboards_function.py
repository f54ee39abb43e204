"""The leaderboards function through functions-framework, on the gcloud emulators.

Ten pushed cash bets score the weekly board and complete the daily mission, whose reward is granted
once on the wallet's Firestore ledger: the tenth push again changes no score and pays nothing more. A
push that is not an event is answered 400 and scores nothing.
"""

from __future__ import annotations

from typing import Any

from tests.gcp.functions import PLAYER, function_client, push
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_wallet import FirestoreLedgerStore
from {{ cookiecutter.package_name }}.compliance import CURRENCY

STAKE = 200
BETS = 10  # the default catalogue's daily-10-bets mission, rewarded 5.00 of bonus


def bet_placed(number: int) -> dict[str, Any]:
    return {
        "event_id": f"bet-event-{number}",
        "correlation_id": "corr-9",
        "occurred_at": "2026-12-04T12:00:00+00:00",
        "player_id": PLAYER,
        "amount": STAKE,
        "currency": CURRENCY,
        "funds": "cash",
    }


def scores(firestore_client: Any, board: str) -> list[int]:
    return [
        snapshot.to_dict()["score"]
        for snapshot in firestore_client.collection_group("scores").stream()
        if snapshot.id == PLAYER and snapshot.reference.parent.parent.id.startswith(f"{board}#")
    ]


def test_pushed_bets_are_scored_once_and_the_mission_rewarded_once(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    worker = function_client("leaderboards")
    pushes = [push("BetPlaced", "wallet", bet_placed(n), message_id=f"m-{n}") for n in range(1, BETS + 1)]

    answers = [worker.post("/", json=body).status_code for body in [*pushes, pushes[-1]]]

    assert answers == [204] * (BETS + 1)
    assert scores(firestore_client, "weekly-wagered") == [BETS * STAKE]
    balance = FirestoreLedgerStore(DATABASE, firestore_client).balance(PLAYER)
    assert balance is not None
    assert balance.bonus == 500


def test_a_push_that_is_not_an_event_is_answered_400(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    body = push("BetPlaced", "wallet", bet_placed(1))
    del body["message"]["attributes"]["type"]

    response = function_client("leaderboards").post("/", json=body)

    assert response.status_code == 400
    assert "no type or source attribute" in response.get_data(as_text=True)
    assert scores(firestore_client, "weekly-wagered") == []
    assert not firestore_client.document("leaderboard_events/bet-event-1").get().exists
