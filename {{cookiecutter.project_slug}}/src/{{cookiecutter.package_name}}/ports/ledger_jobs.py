"""Ports of the hosted wallet's ledger jobs (reconciliation, export): the wallet's table scanned, exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from ..domain.wallet import LedgerEntry


class WalletScanner(Protocol):
    """The wallet's table read whole, page by page, for the scheduled jobs (reconciliation, export).

    Items that are neither balances nor ledger entries are skipped. Iterating lazily fetches the next
    page only when it is needed, so a job that stops early reads no further.
    """

    def player_ids(self) -> Iterator[str]:
        """The id of every player who has a balance, each once, in no particular order."""
        ...

    def entries_created_between(self, start: datetime, end: datetime) -> Iterator[LedgerEntry]:
        """Every ledger entry created at or after `start` and before `end` (tombstones included)."""
        ...


class ExportSink(Protocol):
    """Where exports are written: one object per key, replaced whole by a new write."""

    def write(self, key: str, lines: Iterator[str]) -> int:
        """Store `lines` (each without its newline) as the object `key`; returns its size in bytes.

        If iterating `lines` raises, nothing is stored (the object that was there stays) and the
        exception propagates.
        """
        ...
