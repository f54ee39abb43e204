"""The sessions module's in-memory store: the same semantics as the DynamoDB one, behind one lock."""

from __future__ import annotations

import threading
from dataclasses import replace

from ..domain.errors import NotFound, SessionClosed
from ..domain.sessions import Session, SessionActivity, SessionLimitReached, SessionStatus


class InMemorySessionStore:
    """Sessions by id, each player's active ones, and the event ids already added to each session."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._active: dict[str, set[str]] = {}  # player id -> ids of the sessions started and not ended
        self._applied: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def start(self, session: Session, *, max_active: int) -> None:
        with self._lock:
            active = self._active.setdefault(session.player_id, set())
            if len(active) >= max_active:
                raise SessionLimitReached(
                    f"the player already has {len(active)} active sessions; sign out of one first",
                    field="session_id",
                )
            active.add(session.session_id)
            self._sessions[session.session_id] = replace(session, activity=SessionActivity())

    def save(self, session: Session) -> bool:
        with self._lock:
            stored = self._sessions.get(session.session_id)
            if stored is not None and stored.status is SessionStatus.ENDED:
                if session.status is SessionStatus.ACTIVE:
                    raise SessionClosed("the session has ended; start a new one", field="session_id")
                return False
            activity = stored.activity if stored else SessionActivity()
            self._sessions[session.session_id] = replace(session, activity=activity)
            if session.status is SessionStatus.ENDED:
                self._active.get(session.player_id, set()).discard(session.session_id)
            return True

    def get(self, session_id: str) -> Session | None:
        with self._lock:
            return self._sessions.get(session_id)

    def active_sessions(self, player_id: str) -> list[Session]:
        with self._lock:
            sessions = [self._sessions[session_id] for session_id in self._active.get(player_id, set())]
        return sorted(sessions, key=lambda session: (session.started_at, session.session_id))

    def record_activity(self, session_id: str, event_id: str, activity: SessionActivity) -> bool:
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                raise NotFound(f"session {session_id} does not exist")
            if (session_id, event_id) in self._applied:
                return False
            self._applied.add((session_id, event_id))
            totals = SessionActivity(
                bets=session.activity.bets + activity.bets,
                staked=session.activity.staked + activity.staked,
                won=session.activity.won + activity.won,
            )
            self._sessions[session_id] = replace(session, activity=totals)
            return True
