"""One suite for every SessionStore: the chosen cloud's adapter must behave like the in-memory one.

The cloud's store comes from its fixtures (tests/support/real_stores.py); what only one cloud's store does
(its requests, its records) is tested in that store's own file.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from tests.support.real_stores import store_params

from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.domain.errors import NotFound, SessionClosed
from {{ cookiecutter.package_name }}.domain.sessions import (
    Session,
    SessionActivity,
    SessionLimitReached,
    SessionStatus,
)
from {{ cookiecutter.package_name }}.ports.sessions import SessionStore

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
ONE_BET = SessionActivity(bets=1, staked=50, won=0)
ONE_WIN = SessionActivity(bets=0, staked=0, won=120)


@pytest.fixture(params=store_params("real_session_store"))
def sessions(request: pytest.FixtureRequest) -> SessionStore:
    if request.param == "memory":
        return InMemorySessionStore()
    store: SessionStore = request.getfixturevalue("real_session_store")
    return store


def active_session(session_id: str = "session-1", player_id: str = "player-1", minute: int = 0) -> Session:
    started = START + timedelta(minutes=minute)
    return Session(
        session_id=session_id,
        player_id=player_id,
        status=SessionStatus.ACTIVE,
        started_at=started,
        last_seen_at=started,
    )


def ended(session: Session, minute: int = 30) -> Session:
    at = START + timedelta(minutes=minute)
    return replace(session, status=SessionStatus.ENDED, last_seen_at=at, ended_at=at)


def test_unknown_session_is_none(sessions: SessionStore) -> None:
    assert sessions.get("session-none") is None


def test_saved_session_reads_back_equal(sessions: SessionStore) -> None:
    session = active_session()

    sessions.save(session)

    assert sessions.get("session-1") == session


def test_reality_check_interval_and_count_read_back(sessions: SessionStore) -> None:
    checked = replace(active_session(), reality_check_minutes=60)
    sessions.save(checked)
    later = replace(checked, last_seen_at=START + timedelta(minutes=125), reality_checks_due=2)

    sessions.save(later)

    assert sessions.get("session-1") == later


def test_save_updates_the_lifecycle_of_the_session(sessions: SessionStore) -> None:
    sessions.save(active_session())
    later = START + timedelta(minutes=30)
    ended = replace(active_session(), status=SessionStatus.ENDED, last_seen_at=later, ended_at=later)

    sessions.save(ended)

    assert sessions.get("session-1") == ended


def test_a_stale_heartbeat_never_revives_an_ended_session(sessions: SessionStore) -> None:
    session = active_session()
    sessions.save(session)
    sessions.save(ended(session))

    # A heartbeat that read the session before the sign-out saves its active copy afterwards.
    with pytest.raises(SessionClosed):
        sessions.save(replace(session, last_seen_at=START + timedelta(minutes=31)))

    assert sessions.get("session-1") == ended(session)


def test_ending_an_ended_session_writes_nothing(sessions: SessionStore) -> None:
    session = active_session()
    sessions.save(session)

    assert sessions.save(ended(session, minute=30)) is True
    assert sessions.save(ended(session, minute=45)) is False

    assert sessions.get("session-1") == ended(session, minute=30)


def test_started_sessions_are_the_players_active_ones_oldest_first(sessions: SessionStore) -> None:
    sessions.start(active_session("session-2", minute=5), max_active=3)
    sessions.start(active_session("session-1"), max_active=3)
    sessions.start(active_session("session-3", player_id="player-2"), max_active=3)

    assert [s.session_id for s in sessions.active_sessions("player-1")] == ["session-1", "session-2"]
    assert [s.session_id for s in sessions.active_sessions("player-2")] == ["session-3"]


def test_an_ended_session_is_no_longer_active_and_frees_its_place(sessions: SessionStore) -> None:
    first = active_session("session-1")
    sessions.start(first, max_active=1)
    sessions.save(ended(first))

    sessions.start(active_session("session-2", minute=40), max_active=1)

    assert [s.session_id for s in sessions.active_sessions("player-1")] == ["session-2"]


def test_a_start_beyond_the_cap_is_refused_and_leaves_nothing(sessions: SessionStore) -> None:
    sessions.start(active_session("session-1"), max_active=1)

    with pytest.raises(SessionLimitReached):
        sessions.start(active_session("session-2", minute=1), max_active=1)

    assert sessions.get("session-2") is None
    assert [s.session_id for s in sessions.active_sessions("player-1")] == ["session-1"]


def test_a_lowered_cap_counts_every_active_session_not_only_the_first_places(sessions: SessionStore) -> None:
    for number in range(3):
        sessions.start(active_session(f"session-{number}", minute=number), max_active=3)
    sessions.save(ended(active_session("session-0")))

    # The operator lowers the cap to 1: the player's 2 active sessions already reach it.
    with pytest.raises(SessionLimitReached):
        sessions.start(active_session("session-3", minute=40), max_active=1)

    assert sessions.get("session-3") is None
    assert [s.session_id for s in sessions.active_sessions("player-1")] == ["session-1", "session-2"]


def test_concurrent_starts_never_pass_the_cap(sessions: SessionStore) -> None:
    barrier = threading.Barrier(6)
    refused: list[str] = []

    def sign_in(number: int) -> None:
        barrier.wait()
        try:
            sessions.start(active_session(f"session-{number}", minute=number), max_active=2)
        except SessionLimitReached:
            refused.append(f"session-{number}")

    threads = [threading.Thread(target=sign_in, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sessions.active_sessions("player-1")) == 2
    assert len(refused) == 4


def test_save_keeps_activity_recorded_meanwhile(sessions: SessionStore) -> None:
    session = active_session()
    sessions.save(session)
    sessions.record_activity("session-1", "event-bet", ONE_BET)

    # A heartbeat that read the session before the bet was recorded saves its stale copy.
    sessions.save(replace(session, last_seen_at=START + timedelta(minutes=1)))

    stored = sessions.get("session-1")
    assert stored is not None
    assert stored.activity == ONE_BET
    assert stored.last_seen_at == START + timedelta(minutes=1)


def test_activity_adds_up_once_per_event(sessions: SessionStore) -> None:
    sessions.save(active_session())

    assert sessions.record_activity("session-1", "event-bet", ONE_BET) is True
    assert sessions.record_activity("session-1", "event-win", ONE_WIN) is True
    assert sessions.record_activity("session-1", "event-bet", ONE_BET) is False

    stored = sessions.get("session-1")
    assert stored is not None
    assert stored.activity == SessionActivity(bets=1, staked=50, won=120)


def test_event_ids_are_deduplicated_per_session(sessions: SessionStore) -> None:
    sessions.save(active_session("session-1"))
    sessions.save(active_session("session-2"))

    assert sessions.record_activity("session-1", "event-1", ONE_BET) is True
    assert sessions.record_activity("session-2", "event-1", ONE_BET) is True


def test_activity_of_unknown_session_is_refused_and_not_remembered(sessions: SessionStore) -> None:
    with pytest.raises(NotFound):
        sessions.record_activity("session-1", "event-bet", ONE_BET)

    sessions.save(active_session())
    assert sessions.record_activity("session-1", "event-bet", ONE_BET) is True


def test_concurrent_redeliveries_count_each_event_once(sessions: SessionStore) -> None:
    sessions.save(active_session())
    event_ids = [f"event-{n}" for n in range(20)]
    applied: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def worker() -> None:
        barrier.wait()
        for event_id in event_ids:
            result = sessions.record_activity("session-1", event_id, ONE_BET)
            with lock:
                applied.append(result)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = sessions.get("session-1")
    assert stored is not None
    assert applied.count(True) == len(event_ids)
    assert stored.activity == SessionActivity(bets=20, staked=1_000, won=0)
