"""One suite for the sessions' scheduled jobs' port: the chosen cloud's adapter behaves like the
in-memory one.

The cloud's store comes from its fixtures (tests/support/real_stores.py); what only one cloud's store does
is tested in that store's own file.

The ledger's jobs' ports (the wallet scanned, the export sink): test_ledger_jobs_store_contract.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.support.real_stores import store_params

from {{ cookiecutter.package_name }}.adapters.memory_jobs import InMemorySessionHousekeeping
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.domain.sessions import Session, SessionStatus
from {{ cookiecutter.package_name }}.ports.scheduled_jobs import SessionHousekeeping
from {{ cookiecutter.package_name }}.ports.sessions import SessionStore

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=store_params("real_session_housekeeping"))
def sessions_table(request: pytest.FixtureRequest) -> tuple[SessionHousekeeping, SessionStore]:
    if request.param == "memory":
        store = InMemorySessionStore()
        return InMemorySessionHousekeeping(store), store
    stores: tuple[SessionHousekeeping, SessionStore] = request.getfixturevalue("real_session_housekeeping")
    return stores


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
