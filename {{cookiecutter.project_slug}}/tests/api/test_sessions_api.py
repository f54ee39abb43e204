"""Sessions over HTTP: sign-in, heartbeat and sign-out through serverless-wsgi into Flask."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tests.api.http_api import OTHER_PLAYER, ApiClient

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher


@pytest.fixture
def session_id(api: ApiClient, publisher: InMemoryEventPublisher) -> str:
    response = api.post("/sessions")
    assert response.status == 201
    publisher.events.clear()
    started: str = response.json["session_id"]
    return started


def test_sign_in_starts_a_session(
    api: ApiClient, publisher: InMemoryEventPublisher, clock: FixedClock, session_view_extras: dict[str, Any]
) -> None:
    response = api.post("/sessions", headers={"x-correlation-id": "login-1"})

    assert response.status == 201
    assert response.json == {
        "session_id": response.json["session_id"],
        "status": "active",
        "started_at": clock.now().isoformat(),
        "last_seen_at": clock.now().isoformat(),
        "ended_at": None,
        "activity": {"bets": 0, "staked": 0, "won": 0},
        # What other modules add to a session (player protection: its reality check).
        **session_view_extras,
    }
    assert [event.name for event in publisher.events] == ["PlayerSignedIn", "SessionUpdated"]
    assert {event.correlation_id for event in publisher.events} == {"login-1"}


def test_sign_in_accepts_an_empty_json_object(api: ApiClient) -> None:
    assert api.post("/sessions", {}).status == 201


def test_heartbeat_moves_last_seen(api: ApiClient, session_id: str, clock: FixedClock) -> None:
    clock.advance(timedelta(seconds=30))

    response = api.post(f"/sessions/{session_id}/heartbeat")

    assert response.status == 200
    assert response.json["last_seen_at"] == clock.now().isoformat()


def test_heartbeat_of_another_players_session_is_404(api: ApiClient, session_id: str) -> None:
    response = api.post(f"/sessions/{session_id}/heartbeat", player=OTHER_PLAYER)

    assert response.status == 404
    assert response.error["field"] == "session_id"


def test_heartbeat_after_sign_out_is_409(api: ApiClient, session_id: str) -> None:
    api.delete(f"/sessions/{session_id}")

    response = api.post(f"/sessions/{session_id}/heartbeat")

    assert response.status == 409
    assert response.error["code"] == "session_closed"


def test_sign_out_twice_ends_the_session_once(
    api: ApiClient, session_id: str, publisher: InMemoryEventPublisher
) -> None:
    first = api.delete(f"/sessions/{session_id}")
    second = api.delete(f"/sessions/{session_id}")

    assert (first.status, second.status) == (200, 200)
    assert first.json == second.json
    assert first.json["status"] == "ended"
    assert [event.detail["status"] for event in publisher.events] == ["ended"]


def test_sign_out_of_another_players_session_is_404(api: ApiClient, session_id: str) -> None:
    assert api.delete(f"/sessions/{session_id}", player=OTHER_PLAYER).status == 404
    assert api.post(f"/sessions/{session_id}/heartbeat").status == 200


@pytest.mark.parametrize("bad_id", ["not%20an%20id", "x" * 200, "%2E%2E"])
def test_session_id_that_cannot_exist_is_404(api: ApiClient, bad_id: str) -> None:
    assert api.post(f"/sessions/{bad_id}/heartbeat").status == 404


@pytest.mark.parametrize(
    ("path", "method"),
    [("/sessions", "POST"), ("/sessions/abc/heartbeat", "POST"), ("/sessions/abc", "DELETE")],
)
def test_session_routes_need_a_signed_in_player(api: ApiClient, path: str, method: str) -> None:
    response = api.request(method, path, player=None)

    assert response.status == 401
    assert response.error["code"] == "unauthorized"


def test_unknown_field_in_sign_in_is_422_naming_it(api: ApiClient, publisher: InMemoryEventPublisher) -> None:
    response = api.post("/sessions", {"player_id": OTHER_PLAYER})

    assert response.status == 422
    assert response.error["field"] == "player_id"
    assert publisher.events == []


@pytest.mark.parametrize("raw_body", [" ", "\n", "\t \r\n"])
def test_a_blank_sign_in_body_is_malformed_json_and_signs_no_one_in(
    api: ApiClient, publisher: InMemoryEventPublisher, raw_body: str
) -> None:
    """No body at all is an empty sign-in; whitespace is a body, and not JSON (the fuzz found it 201)."""
    response = api.post("/sessions", raw_body=raw_body)

    assert response.status == 400
    assert response.error["code"] == "malformed_json"
    assert publisher.events == []


def test_malformed_json_in_heartbeat_is_400(api: ApiClient, session_id: str) -> None:
    response = api.post(f"/sessions/{session_id}/heartbeat", raw_body="{nope")

    assert response.status == 400
    assert response.error["code"] == "malformed_json"
