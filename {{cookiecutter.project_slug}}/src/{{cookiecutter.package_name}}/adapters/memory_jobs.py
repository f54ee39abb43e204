"""In-memory adapters of the scheduled jobs' ports, built over the in-memory wallet and session stores.

They read the stores' own state, as the DynamoDB adapters scan the tables: same process, same data.
Each scan takes a snapshot under the store's lock and hands it out page by page, as a paginated scan
would; the purge checks and deletes under that lock, as the DynamoDB delete does in one condition.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

from ..domain.sessions import SessionStatus
from ..domain.wallet import LedgerEntry
from .memory_sessions import InMemorySessionStore
from .memory_wallet import InMemoryLedgerStore


class InMemoryWalletScanner:
    """Players with a balance and ledger entries of an InMemoryLedgerStore."""

    def __init__(self, ledger: InMemoryLedgerStore) -> None:
        self._ledger = ledger

    def player_ids(self) -> Iterator[str]:
        with self._ledger._lock:
            players = sorted(self._ledger._balances)
        return iter(players)

    def entries_created_between(self, start: datetime, end: datetime) -> Iterator[LedgerEntry]:
        with self._ledger._lock:
            entries = [entry for entry in self._ledger._entries.values() if start <= entry.created_at < end]
        return iter(sorted(entries, key=lambda entry: (entry.created_at, entry.transaction_id)))


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


class InMemoryExportSink:
    """Exported objects by key; `writes` counts every stored write (a rerun replaces the object)."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.writes = 0
        self._lock = threading.Lock()

    def write(self, key: str, lines: Iterator[str]) -> int:
        # Everything is read before anything is stored: a failing iterator leaves the old object.
        body = "".join(line + "\n" for line in lines).encode()
        with self._lock:
            self.objects[key] = body
            self.writes += 1
        return len(body)
