"""Attacks on sessions (finding 6): reviving an ended session, and sessions without number.

Through the API as Lambda calls it (HTTP API events into serverless_wsgi), on the AWS adapters against
the moto server: the races need a real store between the requests.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

import pytest
from tests.api.http_api import ApiClient

from {{ cookiecutter.package_name }}.adapters.dynamodb_sessions import DynamoSessionStore
from {{ cookiecutter.package_name }}.domain.sessions import SessionStatus

pytestmark = pytest.mark.integration

# The race was won 15 times in 15 before the fix; this many tries leaves it no room.
TRIES = 15
SIGN_INS = 6


def at_once(*calls: Any) -> None:
    """Run the calls in threads released together, and wait for all of them."""
    barrier = threading.Barrier(len(calls))

    def run(call: Any) -> None:
        barrier.wait()
        call()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_heartbeat_racing_a_sign_out_never_revives_the_session(
    aws_api: ApiClient, aws_tables: dict[str, str]
) -> None:
    store = DynamoSessionStore(aws_tables["SessionsTable"])
    revived = []
    heartbeats: list[int] = []

    def heartbeat(statuses: list[int], session_id: str) -> None:
        statuses.append(aws_api.post(f"/sessions/{session_id}/heartbeat").status)

    for _ in range(TRIES):
        session_id = aws_api.post("/sessions").json["session_id"]
        at_once(
            partial(heartbeat, heartbeats, session_id),
            partial(aws_api.delete, f"/sessions/{session_id}"),
        )
        stored = store.get(session_id)
        assert stored is not None
        if stored.status is not SessionStatus.ENDED:
            revived.append(session_id)

    assert revived == []
    # A heartbeat either came first (200) or found the session ended (409): never a 5xx.
    assert set(heartbeats) <= {200, 409}


def test_concurrent_sign_ins_leave_one_active_session(aws_api: ApiClient, aws_tables: dict[str, str]) -> None:
    statuses: list[int] = []
    session_ids: list[str] = []

    def sign_in() -> None:
        response = aws_api.post("/sessions")
        statuses.append(response.status)
        if response.status == 201:
            session_ids.append(response.json["session_id"])

    at_once(*[sign_in for _ in range(SIGN_INS)])

    store = DynamoSessionStore(aws_tables["SessionsTable"])
    active = [sid for sid in session_ids if store.get(sid).status is SessionStatus.ACTIVE]  # type: ignore[union-attr]
    # The default cap is one session per player: a sign-in ends the older one, or is told to retry.
    assert len(active) == 1
    assert set(statuses) <= {201, 409}
    assert statuses.count(201) >= 1
