"""One suite for the sessions' scheduled jobs' port: the DynamoDB adapter behaves like the in-memory one.

The ledger's jobs' ports (the wallet scanned, the export sink): test_ledger_jobs_store_contract.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_jobs import DynamoSessionHousekeeping
from {{ cookiecutter.package_name }}.adapters.dynamodb_sessions import DynamoSessionStore
from {{ cookiecutter.package_name }}.adapters.memory_jobs import InMemorySessionHousekeeping
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.domain.sessions import Session, SessionActivity, SessionStatus
from {{ cookiecutter.package_name }}.ports.scheduled_jobs import SessionHousekeeping
from {{ cookiecutter.package_name }}.ports.sessions import SessionStore

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", pytest.param("dynamodb", marks=pytest.mark.integration)])
def sessions_table(request: pytest.FixtureRequest) -> tuple[SessionHousekeeping, SessionStore]:
    if request.param == "memory":
        store = InMemorySessionStore()
        return InMemorySessionHousekeeping(store), store
    tables = request.getfixturevalue("aws_tables")
    return DynamoSessionHousekeeping(tables["SessionsTable"]), DynamoSessionStore(tables["SessionsTable"])


def session(session_id: str, *, seen: datetime, ended: datetime | None = None) -> Session:
    return Session(
        session_id=session_id,
        player_id="player-1",
        status=SessionStatus.ACTIVE if ended is None else SessionStatus.ENDED,
        started_at=seen - timedelta(minutes=5),
        last_seen_at=seen,
        ended_at=ended,
    )


# Session scans and the purge --------------------------------------------------------------------


def test_idle_sessions_are_the_active_ones_last_seen_before_the_cutoff(
    sessions_table: tuple[SessionHousekeeping, SessionStore],
) -> None:
    housekeeping, store = sessions_table
    store.save(session("idle", seen=NOW - timedelta(hours=1)))
    store.save(session("fresh", seen=NOW))
    store.save(session("signed-out", seen=NOW - timedelta(hours=2), ended=NOW - timedelta(hours=2)))

    assert list(housekeeping.idle_session_ids(NOW - timedelta(minutes=30))) == ["idle"]


def test_ended_sessions_are_those_ended_before_the_cutoff(
    sessions_table: tuple[SessionHousekeeping, SessionStore],
) -> None:
    housekeeping, store = sessions_table
    cutoff = NOW - timedelta(days=5 * 365)
    store.save(session("old", seen=cutoff - timedelta(days=1), ended=cutoff - timedelta(days=1)))
    store.save(session("recent", seen=cutoff + timedelta(days=1), ended=cutoff + timedelta(days=1)))
    store.save(session("old-but-active", seen=cutoff - timedelta(days=9)))

    assert list(housekeeping.ended_session_ids(cutoff)) == ["old"]


def test_purge_deletes_only_a_session_that_ended_before_the_cutoff(
    sessions_table: tuple[SessionHousekeeping, SessionStore],
) -> None:
    housekeeping, store = sessions_table
    cutoff = NOW - timedelta(days=5 * 365)
    store.save(session("old", seen=cutoff - timedelta(days=1), ended=cutoff - timedelta(days=1)))
    store.save(session("recent", seen=cutoff + timedelta(days=1), ended=cutoff + timedelta(days=1)))
    store.save(session("old-but-active", seen=cutoff - timedelta(days=9)))

    assert housekeeping.purge_session("old", cutoff) is True
    assert housekeeping.purge_session("old", cutoff) is False  # already gone
    assert housekeeping.purge_session("recent", cutoff) is False
    assert housekeeping.purge_session("old-but-active", cutoff) is False
    assert housekeeping.purge_session("never-was", cutoff) is False
    assert store.get("old") is None
    assert store.get("recent") is not None
    assert store.get("old-but-active") is not None


@pytest.mark.integration
def test_purge_leaves_the_activity_markers_to_their_ttl(aws_tables: dict[str, str]) -> None:
    table = aws_tables["SessionsTable"]
    housekeeping, store = DynamoSessionHousekeeping(table), DynamoSessionStore(table)
    ended = NOW - timedelta(days=3000)
    store.save(session("old", seen=ended, ended=ended))
    store.record_activity("old", "event-1", SessionActivity(bets=1, staked=10))

    assert housekeeping.purge_session("old", NOW - timedelta(days=365)) is True
    marker = housekeeping.client.get_item(
        TableName=table, Key={"pk": {"S": "SESSION#old"}, "sk": {"S": "EVENT#event-1"}}
    )
    assert "expires_at" in marker["Item"]
    assert list(housekeeping.ended_session_ids(NOW)) == []  # a marker is not a session
