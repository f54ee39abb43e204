"""The api and sessionActivity functions through functions-framework, on the gcloud emulators.

A sign-in goes through main.py's `api` target into the Flask app and its Firestore session store; a
pushed bet goes through `session_activity` into the same session's activity, once per event id.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from tests.gcp.functions import PLAYER, USERINFO, function_client, push, userinfo, verified_token

from {{ cookiecutter.package_name }}.api.gcp import AUTHORIZER_KEY, MAX_USERINFO_BYTES


def sign_in() -> str:
    response = function_client("api").post("/sessions", json={}, headers=verified_token())
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


def test_the_api_function_reads_the_gateways_claims_from_its_header(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    response = function_client("api").post("/sessions", json={}, headers=verified_token())

    assert response.status_code == 201, response.get_data(as_text=True)
    session = firestore_client.document(f"sessions/{response.get_json()['session_id']}").get()
    assert session.get("player_id") == PLAYER


def test_the_api_function_ignores_claims_a_caller_put_in_the_environ(
    function_environment: dict[str, str],
) -> None:
    forged = {AUTHORIZER_KEY: {"jwt": {"claims": {"sub": PLAYER}, "scopes": ["wallet:credit"]}}}

    response = function_client("api").post("/sessions", json={}, environ_overrides=forged)

    assert response.status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "not base64url!",
        base64.urlsafe_b64encode(b"not json").decode(),
        userinfo([PLAYER]),  # type: ignore[arg-type] - JSON, but not an object
        userinfo({"sub": PLAYER, "padding": "x" * MAX_USERINFO_BYTES}),
    ],
    ids=["not-base64url", "not-json", "not-an-object", "oversized"],
)
def test_the_api_function_answers_401_to_an_unreadable_or_oversized_header(
    function_environment: dict[str, str], header: str
) -> None:
    response = function_client("api").post("/sessions", json={}, headers={USERINFO: header})

    assert response.status_code == 401
