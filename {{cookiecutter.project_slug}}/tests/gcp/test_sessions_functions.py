"""The api and sessionActivity functions through functions-framework, on the gcloud emulators.

A sign-in goes through main.py's `api` target into the Flask app and its Firestore session store; a
pushed bet goes through `session_activity` into the same session's activity, once per event id.
"""

from __future__ import annotations

from typing import Any

from tests.gcp.functions import PLAYER, function_client, push, verified_token


def sign_in() -> str:
    response = function_client("api").post("/sessions", json={}, environ_overrides=verified_token())
    assert response.status_code == 201, response.get_data(as_text=True)
    session_id: str = response.get_json()["session_id"]
    return session_id


def bet(session_id: str, event_id: str = "bet-event-1") -> dict[str, Any]:
    detail = {
        "event_id": event_id,
        "correlation_id": "corr-1",
        "occurred_at": "2026-12-04T12:00:00+00:00",
        "player_id": PLAYER,
        "session_id": session_id,
        "amount": 250,
        "currency": "EUR",
    }
    return push("BetPlaced", "wallet", detail)


def test_the_api_function_signs_a_player_in_on_firestore(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    session_id = sign_in()

    stored = firestore_client.document(f"sessions/{session_id}").get()
    assert stored.exists
    assert stored.get("player_id") == PLAYER


def test_the_api_function_refuses_a_request_without_a_verified_token(
    function_environment: dict[str, str],
) -> None:
    response = function_client("api").post("/sessions", json={})

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_pushed_bet_is_acked_and_counted_once(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    session_id = sign_in()
    worker = function_client("session_activity")

    answers = [worker.post("/", json=bet(session_id)).status_code for _ in range(2)]

    assert answers == [204, 204]
    activity = firestore_client.document(f"sessions/{session_id}").get().to_dict()
    assert (activity["bets"], activity["staked"]) == (1, 250)


def test_a_malformed_push_is_answered_400(function_environment: dict[str, str]) -> None:
    body = push("BetPlaced", "wallet", {"event_id": "e-1"})
    body["message"]["data"] = "not base64 JSON"

    response = function_client("session_activity").post("/", json=body)

    assert response.status_code == 400
    assert "not an event" in response.get_data(as_text=True)
