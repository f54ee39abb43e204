"""Pub/Sub pushes to a worker: the event is read from the wrapped body; the answer acks or retries it."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.gcp_push import (
    ACKNOWLEDGED,
    NOT_AN_EVENT,
    MalformedPush,
    PushedEvent,
    answer,
    pushed_event,
)

ENVELOPE = {
    "event_id": "e-1",
    "correlation_id": "corr-1",
    "occurred_at": "2026-12-03T12:00:00+00:00",
    "player_id": "p-1",
    "stake": 100,
}


def push(data: bytes, attempt: int | None = 2, **attributes: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message": {
            "data": base64.b64encode(data).decode(),
            "messageId": "m-1",
            "attributes": attributes or {"type": "BetPlaced", "source": "wallet"},
        },
        "subscription": "projects/casino-test/subscriptions/session-bets-wallet",
    }
    if attempt is not None:
        body["deliveryAttempt"] = attempt
    return body


def test_a_pushed_event_carries_its_name_source_envelope_and_attempt() -> None:
    event = pushed_event(push(json.dumps(ENVELOPE).encode()))
    assert event == PushedEvent(
        name="BetPlaced", source="wallet", detail=ENVELOPE, message_id="m-1", delivery_attempt=2
    )
    assert event.correlation_id == "corr-1"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"subscription": "s"}, "no message object"),
        (push(json.dumps(ENVELOPE).encode(), type="BetPlaced"), "no type or source"),
        (push(b"{not json"), "not base64 JSON"),
        (push(json.dumps({"stake": 1}).encode()), "no event_id"),
        ({"message": {"data": "%%%", "attributes": {"type": "BetPlaced", "source": "wallet"}}}, "not base64"),
    ],
)
def test_a_push_that_is_not_an_event_is_refused_naming_why(body: Any, reason: str) -> None:
    with pytest.raises(MalformedPush, match=reason):
        pushed_event(body)


def test_the_answer_acks_a_handled_event_and_refuses_a_malformed_one() -> None:
    handled: list[PushedEvent] = []
    assert answer(push(json.dumps(ENVELOPE).encode()), handled.append) == ("", ACKNOWLEDGED)
    text, status = answer(push(b"{not json"), handled.append)
    assert status == NOT_AN_EVENT
    assert "not base64 JSON" in text
    assert [event.detail["event_id"] for event in handled] == ["e-1"]


def test_a_failing_step_is_not_acknowledged() -> None:
    def fail(event: PushedEvent) -> None:
        raise RuntimeError("store unavailable")

    with pytest.raises(RuntimeError, match="store unavailable"):
        answer(push(json.dumps(ENVELOPE).encode()), fail)


def test_a_functions_framework_target_answers_pushes(tmp_path: Path) -> None:
    """Served by functions-framework as on Cloud Run: 204 acks, 400 and 500 have Pub/Sub retry."""
    functions_framework = pytest.importorskip("functions_framework", reason="not installed")
    source = tmp_path / "main.py"
    source.write_text(
        "import functions_framework\n"
        "from {{ cookiecutter.package_name }}.gcp_push import answer\n"
        "SEEN = []\n"
        "def step(event):\n"
        "    if event.detail.get('stake') == 13:\n"
        "        raise RuntimeError('unlucky')\n"
        "    SEEN.append(event.detail['event_id'])\n"
        "@functions_framework.http\n"
        "def worker(request):\n"
        "    return answer(request.get_json(silent=True), step)\n",
        encoding="utf-8",
    )
    client = functions_framework.create_app(target="worker", source=str(source)).test_client()
    assert client.post("/", json=push(json.dumps(ENVELOPE).encode())).status_code == ACKNOWLEDGED
    assert client.post("/", json=push(b"{not json")).status_code == NOT_AN_EVENT
    assert client.post("/", json=push(json.dumps({**ENVELOPE, "stake": 13}).encode())).status_code == 500
