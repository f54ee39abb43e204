"""The scheduled jobs' ports: time budgets, the wallet's table scanned, session housekeeping, exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from ..domain.wallet import LedgerEntry


class TimeBudget(Protocol):
    """Whether a scheduled run must stop now to finish before its function's timeout."""

    def exhausted(self) -> bool: ...


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


class SessionHousekeeping(Protocol):
    """Scans of the sessions table for the cleanup and the purge, and the purge's delete."""

    def idle_session_ids(self, seen_before: datetime) -> Iterator[str]:
        """Ids of active sessions last heard from before `seen_before` (as scanned: read them again)."""
        ...

    def ended_session_ids(self, ended_before: datetime) -> Iterator[str]:
        """Ids of ended sessions whose end is before `ended_before`."""
        ...

    def purge_session(self, session_id: str, ended_before: datetime) -> bool:
        """Delete the session record only if it is ended and ended before `ended_before`.

        Returns False (and deletes nothing) otherwise, or if it is already gone. Its activity markers
        are not touched: they expire by themselves.
        """
        ...


class ExportSink(Protocol):
    """Where exports are written: one object per key, replaced whole by a new write."""

    def write(self, key: str, lines: Iterator[str]) -> int:
        """Store `lines` (each without its newline) as the object `key`; returns its size in bytes.

        If iterating `lines` raises, nothing is stored (the object that was there stays) and the
        exception propagates.
        """
        ...
