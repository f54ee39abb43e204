"""Session rules against the in-memory store: sign-in, heartbeat, sign-out and play activity."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.domain.errors import NotFound, SessionClosed
from {{ cookiecutter.package_name }}.domain.sessions import (
    AtSessionCap,
    SessionActivity,
    SessionLimitReached,
    SessionService,
    SessionStatus,
)

SOURCE = "{{ cookiecutter.package_name }}.sessions"
PLAYER = "player-1"
OTHER_PLAYER = "player-2"


@pytest.fixture
def store() -> InMemorySessionStore:
    return InMemorySessionStore()


@pytest.fixture
def sessions(
    store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> SessionService:
    numbers = itertools.count(1)
    # No reality checks here, whatever the modules and jurisdiction: their own tests below choose one.
    return SessionService(
        store, publisher, clock, SOURCE, new_id=lambda: f"sess-{next(numbers)}", reality_check_minutes=None
    )


def test_sign_in_starts_an_active_session_and_announces_it(
    sessions: SessionService, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    session = sessions.start_session(PLAYER, correlation_id="corr-1")

    assert (session.session_id, session.player_id, session.status) == ("sess-1", PLAYER, SessionStatus.ACTIVE)
    assert session.started_at == session.last_seen_at == clock.now()
    signed_in, updated = publisher.events
    assert (signed_in.name, signed_in.source, signed_in.correlation_id) == (
        "PlayerSignedIn",
        SOURCE,
        "corr-1",
    )
    assert signed_in.detail == {"player_id": PLAYER, "session_id": "sess-1"}
    assert updated.name == "SessionUpdated"
    assert updated.detail["status"] == "active"
    assert updated.correlation_id == "corr-1"


def test_default_session_ids_are_unique_and_unguessable(
    store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    service = SessionService(store, publisher, clock, SOURCE)

    ids = {service.start_session(PLAYER, correlation_id="c").session_id for _ in range(50)}

    assert len(ids) == 50
    assert all(len(session_id) == 32 for session_id in ids)


def test_heartbeat_keeps_the_session_alive(
    sessions: SessionService, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    started = sessions.start_session(PLAYER, correlation_id="corr-1")
    clock.advance(timedelta(minutes=5))

    alive = sessions.heartbeat(started.session_id, PLAYER, correlation_id="corr-2")

    assert alive.last_seen_at == started.started_at + timedelta(minutes=5)
    assert alive.status is SessionStatus.ACTIVE
    assert publisher.events[-1].name == "SessionUpdated"
    assert publisher.events[-1].correlation_id == "corr-2"


@pytest.mark.parametrize(
    ("session_id", "player_id"),
    [
        pytest.param("sess-1", OTHER_PLAYER, id="another-players"),
        pytest.param("sess-9", PLAYER, id="unknown"),
    ],
)
def test_heartbeat_of_a_session_that_is_not_the_players_is_not_found(
    sessions: SessionService, publisher: InMemoryEventPublisher, session_id: str, player_id: str
) -> None:
    sessions.start_session(PLAYER, correlation_id="corr-1")
    publisher.events.clear()

    with pytest.raises(NotFound):
        sessions.heartbeat(session_id, player_id, correlation_id="corr-2")

    assert publisher.events == []


def test_heartbeat_after_sign_out_is_refused(sessions: SessionService) -> None:
    session = sessions.start_session(PLAYER, correlation_id="corr-1")
    sessions.end_session(session.session_id, PLAYER, correlation_id="corr-2")

    with pytest.raises(SessionClosed):
        sessions.heartbeat(session.session_id, PLAYER, correlation_id="corr-3")


def test_sign_out_is_idempotent(
    sessions: SessionService, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    session = sessions.start_session(PLAYER, correlation_id="corr-1")
    clock.advance(timedelta(minutes=1))

    ended = sessions.end_session(session.session_id, PLAYER, correlation_id="corr-2")
    clock.advance(timedelta(minutes=1))
    again = sessions.end_session(session.session_id, PLAYER, correlation_id="corr-3")

    assert ended.status is SessionStatus.ENDED
    assert ended.ended_at == session.started_at + timedelta(minutes=1)
    assert again == ended
    assert [event.detail["status"] for event in publisher.events if event.name == "SessionUpdated"] == [
        "active",
        "ended",
    ]


def test_sign_out_of_another_players_session_is_not_found(sessions: SessionService) -> None:
    session = sessions.start_session(PLAYER, correlation_id="corr-1")

    with pytest.raises(NotFound):
        sessions.end_session(session.session_id, OTHER_PLAYER, correlation_id="corr-2")


def test_bet_activity_is_added_once_per_event(sessions: SessionService, store: InMemorySessionStore) -> None:
    session = sessions.start_session(PLAYER, correlation_id="corr-1")

    first = sessions.record_bet_activity(session.session_id, "evt-1", SessionActivity(bets=1, staked=300))
    duplicate = sessions.record_bet_activity(session.session_id, "evt-1", SessionActivity(bets=1, staked=300))
    sessions.record_bet_activity(session.session_id, "evt-2", SessionActivity(won=900), player_id=PLAYER)

    assert (first, duplicate) == (True, False)
    stored = store.get(session.session_id)
    assert stored is not None
    assert stored.activity == SessionActivity(bets=1, staked=300, won=900)


def test_bet_activity_for_an_unknown_session_is_ignored(sessions: SessionService) -> None:
    assert not sessions.record_bet_activity("sess-404", "evt-1", SessionActivity(bets=1, staked=300))


def test_bet_activity_naming_another_players_session_is_ignored(
    sessions: SessionService, store: InMemorySessionStore
) -> None:
    session = sessions.start_session(PLAYER, correlation_id="corr-1")

    applied = sessions.record_bet_activity(
        session.session_id, "evt-1", SessionActivity(bets=1, staked=300), player_id=OTHER_PLAYER
    )

    assert not applied
    stored = store.get(session.session_id)
    assert stored is not None
    assert stored.activity == SessionActivity()


@pytest.fixture
def checked_sessions(
    store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> SessionService:
    """Sessions with a reality check every 60 minutes."""
    return SessionService(store, publisher, clock, SOURCE, new_id=lambda: "sess-1", reality_check_minutes=60)


def test_a_session_tells_when_its_next_reality_check_is_due(
    checked_sessions: SessionService, clock: FixedClock
) -> None:
    session = checked_sessions.start_session(PLAYER, correlation_id="c")

    assert session.next_reality_check_at == clock.now() + timedelta(minutes=60)


def test_reality_check_is_announced_once_per_interval(
    checked_sessions: SessionService, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    started = checked_sessions.start_session(PLAYER, correlation_id="login").started_at
    publisher.events.clear()

    clock.advance(timedelta(minutes=59))
    checked_sessions.heartbeat("sess-1", PLAYER, correlation_id="hb-1")
    clock.advance(timedelta(minutes=2))
    first = checked_sessions.heartbeat("sess-1", PLAYER, correlation_id="hb-2")
    clock.advance(timedelta(minutes=30))
    checked_sessions.heartbeat("sess-1", PLAYER, correlation_id="hb-3")

    due = [event for event in publisher.events if event.name == "RealityCheckDue"]
    assert len(due) == 1
    assert (due[0].source, due[0].correlation_id) == (SOURCE, "hb-2")
    assert due[0].detail == {
        "player_id": PLAYER,
        "session_id": "sess-1",
        "reality_check": 1,
        "interval_minutes": 60,
        "minutes_played": 60,
        "due_at": (started + timedelta(minutes=60)).isoformat(),
    }
    assert first.reality_checks_due == 1
    assert first.next_reality_check_at == started + timedelta(minutes=120)


def test_a_long_silence_announces_only_the_latest_reality_check(
    checked_sessions: SessionService, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    checked_sessions.start_session(PLAYER, correlation_id="login")
    publisher.events.clear()

    clock.advance(timedelta(minutes=185))
    session = checked_sessions.heartbeat("sess-1", PLAYER, correlation_id="hb")

    due = [event for event in publisher.events if event.name == "RealityCheckDue"]
    assert [event.detail["reality_check"] for event in due] == [3]
    assert session.reality_checks_due == 3


def test_a_session_without_reality_checks_announces_none(
    sessions: SessionService, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    session = sessions.start_session(PLAYER, correlation_id="login")
    clock.advance(timedelta(hours=5))

    sessions.heartbeat(session.session_id, PLAYER, correlation_id="hb")

    assert "RealityCheckDue" not in [event.name for event in publisher.events]
    assert session.next_reality_check_at is None


def test_a_new_sign_in_ends_the_players_older_session_by_default(
    sessions: SessionService, publisher: InMemoryEventPublisher
) -> None:
    older = sessions.start_session(PLAYER, correlation_id="login-1")
    publisher.events.clear()

    newer = sessions.start_session(PLAYER, correlation_id="login-2")

    assert [s.session_id for s in sessions.active_sessions(PLAYER)] == [newer.session_id]
    ended_event = publisher.events[0]
    assert (ended_event.name, ended_event.detail["session_id"], ended_event.detail["status"]) == (
        "SessionUpdated",
        older.session_id,
        "ended",
    )
    with pytest.raises(SessionClosed):
        sessions.heartbeat(older.session_id, PLAYER, correlation_id="late")


def test_the_cap_counts_each_player_apart(sessions: SessionService) -> None:
    mine = sessions.start_session(PLAYER, correlation_id="login-1")
    sessions.start_session(OTHER_PLAYER, correlation_id="login-2")

    assert [s.session_id for s in sessions.active_sessions(PLAYER)] == [mine.session_id]


def test_a_cap_of_two_ends_only_the_oldest(
    store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    sessions = SessionService(
        store, publisher, clock, SOURCE, reality_check_minutes=None, max_active_sessions=2
    )
    first = sessions.start_session(PLAYER, correlation_id="login-1")
    clock.advance(timedelta(minutes=1))
    second = sessions.start_session(PLAYER, correlation_id="login-2")
    clock.advance(timedelta(minutes=1))
    third = sessions.start_session(PLAYER, correlation_id="login-3")

    assert [s.session_id for s in sessions.active_sessions(PLAYER)] == [second.session_id, third.session_id]
    assert store.get(first.session_id).status is SessionStatus.ENDED  # type: ignore[union-attr]


def test_at_the_cap_a_refusing_policy_keeps_the_older_session(
    store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    sessions = SessionService(
        store, publisher, clock, SOURCE, reality_check_minutes=None, at_session_cap=AtSessionCap.REFUSE
    )
    older = sessions.start_session(PLAYER, correlation_id="login-1")

    with pytest.raises(SessionLimitReached) as refused:
        sessions.start_session(PLAYER, correlation_id="login-2")

    assert refused.value.status == 409
    assert [s.session_id for s in sessions.active_sessions(PLAYER)] == [older.session_id]


def test_a_cap_below_one_is_refused_naming_the_setting(
    store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    with pytest.raises(ValueError, match="max_active_sessions"):
        SessionService(store, publisher, clock, SOURCE, max_active_sessions=0)


def test_session_settings_default_to_one_session_ending_the_oldest() -> None:
    from {{ cookiecutter.package_name }}.settings_sessions import SessionSettings

    assert SessionSettings.from_env({}) == SessionSettings(1, AtSessionCap.END_OLDEST)
    assert SessionSettings.from_env(
        {"MAX_ACTIVE_SESSIONS": "3", "AT_SESSION_CAP": "refuse"}
    ) == SessionSettings(3, AtSessionCap.REFUSE)


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"MAX_ACTIVE_SESSIONS": "0"}, "MAX_ACTIVE_SESSIONS"),
        ({"MAX_ACTIVE_SESSIONS": "21"}, "MAX_ACTIVE_SESSIONS"),
        ({"MAX_ACTIVE_SESSIONS": "two"}, "MAX_ACTIVE_SESSIONS"),
        ({"AT_SESSION_CAP": "kick"}, "AT_SESSION_CAP"),
    ],
)
def test_bad_session_settings_are_refused_naming_the_variable(environ: dict[str, str], variable: str) -> None:
    from {{ cookiecutter.package_name }}.settings import SettingsError
    from {{ cookiecutter.package_name }}.settings_sessions import SessionSettings

    with pytest.raises(SettingsError, match=variable):
        SessionSettings.from_env(environ)
