"""In-memory adapters of the ledger's scheduled jobs: the wallet scanned, and the export sink.

The scanner reads an InMemoryLedgerStore's own state, as the DynamoDB adapter scans the table: a
snapshot under the store's lock, handed out as a paginated scan would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

from ..domain.wallet import LedgerEntry
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
