"""Reality checks over HTTP: player protection's part of a session, through serverless-wsgi into Flask."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.api.fixtures_responsible_gaming import REALITY_CHECK_MINUTES
from tests.api.http_api import ApiClient

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher


@pytest.fixture
def session_id(api: ApiClient, publisher: InMemoryEventPublisher) -> str:
    response = api.post("/sessions")
    assert response.status == 201
    publisher.events.clear()
    started: str = response.json["session_id"]
    return started


def test_heartbeat_says_when_a_reality_check_is_due_and_announces_it_once(
    api: ApiClient, session_id: str, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    started = clock.now()
    clock.advance(timedelta(minutes=REALITY_CHECK_MINUTES + 1))

    first = api.post(f"/sessions/{session_id}/heartbeat", headers={"x-correlation-id": "hb-1"})
    again = api.post(f"/sessions/{session_id}/heartbeat")

    assert first.json["reality_check"] == {
        "interval_minutes": REALITY_CHECK_MINUTES,
        "checks_due": 1,
        "next_due_at": (started + timedelta(minutes=2 * REALITY_CHECK_MINUTES)).isoformat(),
    }
    assert again.json["reality_check"] == first.json["reality_check"]
    due = [event for event in publisher.events if event.name == "RealityCheckDue"]
    assert [(event.detail["reality_check"], event.correlation_id) for event in due] == [(1, "hb-1")]
