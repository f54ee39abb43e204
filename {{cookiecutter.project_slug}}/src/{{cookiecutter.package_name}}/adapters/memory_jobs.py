"""In-memory adapter of the sessions' scheduled jobs, built over the in-memory session store.

It reads the store's own state, as the DynamoDB adapter scans the table: same process, same data. Each
scan takes a snapshot under the store's lock; the purge checks and deletes under that lock, as the
DynamoDB delete does in one condition. The ledger's jobs: memory_ledger_jobs.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ..domain.sessions import SessionStatus
from .memory_sessions import InMemorySessionStore


class InMemorySessionHousekeeping:
    """Scans and the purge over an InMemorySessionStore."""

    def __init__(self, store: InMemorySessionStore) -> None:
        self._store = store

    def idle_session_ids(self, seen_before: datetime) -> Iterator[str]:
        with self._store._lock:
            found = [
                session.session_id
                for session in self._store._sessions.values()
                if session.status is SessionStatus.ACTIVE and session.last_seen_at < seen_before
            ]
        return iter(sorted(found))

    def ended_session_ids(self, ended_before: datetime) -> Iterator[str]:
        with self._store._lock:
            found = [
                session.session_id
                for session in self._store._sessions.values()
                if session.status is SessionStatus.ENDED
                and session.ended_at is not None
                and session.ended_at < ended_before
            ]
        return iter(sorted(found))

    def purge_session(self, session_id: str, ended_before: datetime) -> bool:
        with self._store._lock:
            session = self._store._sessions.get(session_id)
            if session is None or session.status is not SessionStatus.ENDED:
                return False
            if session.ended_at is None or session.ended_at >= ended_before:
                return False
            del self._store._sessions[session_id]
            return True
