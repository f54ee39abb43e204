"""The sessions' part of tests/api/test_aws_app.py: sign-in and heartbeat against DynamoDB."""

from __future__ import annotations

from types import ModuleType

from tests.api.http_api import ApiClient

PLAYER_ROUTE = ("POST", "/sessions")


def walk(api: ApiClient, parts: list[ModuleType]) -> None:
    started = api.post("/sessions")
    assert started.status == 201
    heartbeat = api.post(f"/sessions/{started.json['session_id']}/heartbeat")
    assert (heartbeat.status, heartbeat.json["status"]) == (200, "active")
