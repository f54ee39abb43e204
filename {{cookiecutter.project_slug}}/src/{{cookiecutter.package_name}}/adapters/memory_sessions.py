"""The sessions module's in-memory store: the same semantics as the DynamoDB one, behind one lock."""

from __future__ import annotations

import threading
from dataclasses import replace

from ..domain.errors import NotFound
from ..domain.sessions import Session, SessionActivity


class InMemorySessionStore:
    """Sessions by id plus the event ids already added to each session's activity."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._applied: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def save(self, session: Session) -> None:
        with self._lock:
            stored = self._sessions.get(session.session_id)
            activity = stored.activity if stored else SessionActivity()
            self._sessions[session.session_id] = replace(session, activity=activity)

    def get(self, session_id: str) -> Session | None:
        with self._lock:
            return self._sessions.get(session_id)

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
