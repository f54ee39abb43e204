"""The sessions' Table Storage store on Azurite: what is particular to Table Storage.

The store's behaviour (the cap, sign-outs, activity once per event, races) is the shared contract suite's
(tests/contract/test_session_store_contract.py); this file pins the requests each operation costs (the
module docstring of adapters/table_sessions.py counts them) and keys Table Storage refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.support.fixtures_azure import RequestLog

from {{ cookiecutter.package_name }}.adapters.table_sessions import TableSessionStore
from {{ cookiecutter.package_name }}.domain.sessions import Session, SessionActivity, SessionStatus

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def operations_of(requests: RequestLog) -> list[str]:
    """The requests as Table Storage operations: a query, a point read, a write, a transaction."""
    named = []
    for method, path in requests:
        if method == "GET":
            named.append("query" if path.endswith("()") else "point read")
        else:
            named.append("transaction" if path == "$batch" else "write")
    return named


def signed_in(session_id: str = "session-1", player_id: str = "player-1") -> Session:
    return Session(
        session_id=session_id,
        player_id=player_id,
        status=SessionStatus.ACTIVE,
        started_at=START,
        last_seen_at=START,
    )


def test_each_session_operation_costs_the_requests_the_store_documents(
    table_factory: Callable[..., Any],
) -> None:
    requests: RequestLog = []
    sessions = TableSessionStore(table_factory(requests))
    costs: dict[str, list[str]] = {}

    def cost(name: str, operation: Callable[[], object]) -> None:
        requests.clear()
        operation()
        costs[name] = operations_of(requests)

    session = signed_in()
    cost("start", lambda: sessions.start(session, max_active=2))
    cost("heartbeat", lambda: sessions.save(replace(session, last_seen_at=START + timedelta(minutes=1))))
    cost(
        "record_activity", lambda: sessions.record_activity("session-1", "event-1", SessionActivity(1, 50, 0))
    )
    cost("bet check", lambda: sessions.is_active_for("session-1", "player-1"))
    cost("get", lambda: sessions.get("session-1"))
    cost("active_sessions", lambda: sessions.active_sessions("player-1"))
    ended_at = START + timedelta(minutes=5)
    cost(
        "sign-out",
        lambda: sessions.save(
            replace(session, status=SessionStatus.ENDED, last_seen_at=ended_at, ended_at=ended_at)
        ),
    )

    assert costs == {
        "start": ["query", "write", "transaction"],
        "heartbeat": ["point read", "write"],
        "record_activity": ["point read", "point read", "transaction"],
        "bet check": ["point read"],
        "get": ["point read", "point read"],
        "active_sessions": ["query"],
        "sign-out": ["point read", "transaction"],
    }, costs
    assert sessions.active_sessions("player-1") == []


def test_ids_table_storage_refuses_in_keys_are_kept_as_given(table_factory: Callable[..., Any]) -> None:
    sessions = TableSessionStore(table_factory())
    session = signed_in("session/1#?\\:x", "player/7#?\\:y")

    sessions.start(session, max_active=1)

    assert sessions.get(session.session_id) == session
    assert sessions.is_active_for(session.session_id, session.player_id)
    assert sessions.record_activity(session.session_id, "event/1#", SessionActivity(1, 50, 0)) is True
    assert [found.session_id for found in sessions.active_sessions(session.player_id)] == [session.session_id]


def test_a_session_is_active_only_for_its_own_player(table_factory: Callable[..., Any]) -> None:
    sessions = TableSessionStore(table_factory())
    sessions.start(signed_in(), max_active=1)

    assert sessions.is_active_for("session-1", "player-1") is True
    assert sessions.is_active_for("session-1", "player-2") is False
    assert sessions.is_active_for("session-2", "player-1") is False
