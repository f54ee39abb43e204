"""The scheduled jobs' ports: time budgets and session housekeeping (the ledger's jobs: ledger_jobs.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol


class TimeBudget(Protocol):
    """Whether a scheduled run must stop now to finish before its function's timeout."""

    def exhausted(self) -> bool: ...


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
