"""Scheduled jobs of the sessions: stale-session cleanup and the retention purge, and what every job shares.

Every job is bounded and safe to run again. It works through what it scans until the time budget is
spent, then stops and says so; the next run starts over, so nothing is lost by stopping early. None
of them changes money: the cleanup ends sessions through the sessions domain, and the purge removes
ended sessions, never ledger entries. The jobs of the hosted wallet's ledger (reconciliation, the
export) are in ledger_jobs.py: the hybrid mode, where the operator's platform holds the ledger, has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .sessions import SessionStatus

if TYPE_CHECKING:
    from ..ports import Clock
    from ..ports.scheduled_jobs import SessionHousekeeping, TimeBudget
    from ..ports.sessions import SessionStore
    from .sessions import SessionService


@dataclass(frozen=True, slots=True)
class JobRun:
    """One run of a job: the id its log lines and events carry, and the moment it was scheduled for."""

    correlation_id: str
    scheduled_at: datetime


# Stale-session cleanup --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CleanupSummary:
    """What one stale-session cleanup run did."""

    idle_since: datetime
    ended: int
    # Listed as idle by the scan, but ended or heard from by the time they were read again.
    skipped: int
    complete: bool

    def as_log(self) -> dict[str, Any]:
        """The run's summary as one structured log line."""
        return {
            "idle_since": self.idle_since.isoformat(),
            "ended": self.ended,
            "skipped": self.skipped,
            "complete": self.complete,
        }


class SessionCleanupJob:
    """Ends sessions that are still active but have had no heartbeat for longer than the idle timeout.

    They are ended through the sessions domain, exactly like a sign-out, so SessionUpdated (status
    ended) is published for each. An ended session is left alone, so a rerun changes nothing.
    """

    def __init__(
        self,
        sessions: SessionService,
        store: SessionStore,
        housekeeping: SessionHousekeeping,
        clock: Clock,
        idle_timeout: timedelta,
    ) -> None:
        if idle_timeout <= timedelta(0):
            raise ValueError("the idle timeout must be positive")
        self._sessions = sessions
        self._store = store
        self._housekeeping = housekeeping
        self._clock = clock
        self._idle_timeout = idle_timeout

    def run(self, run: JobRun, budget: TimeBudget) -> CleanupSummary:
        """End every idle session the scan finds before the budget is spent."""
        idle_since = self._clock.now() - self._idle_timeout
        ended = skipped = 0
        complete = True
        for session_id in self._housekeeping.idle_session_ids(idle_since):
            if budget.exhausted():
                complete = False
                break
            # The scan's copy may be old: read the session again before ending it.
            session = self._store.get(session_id)
            if session is None or session.status is SessionStatus.ENDED or session.last_seen_at >= idle_since:
                skipped += 1
                continue
            self._sessions.end_session(session_id, session.player_id, correlation_id=run.correlation_id)
            ended += 1
        return CleanupSummary(idle_since, ended, skipped, complete)


# Retention purge --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PurgeSummary:
    """What one retention purge run removed."""

    ended_before: datetime
    purged: int
    # Listed by the scan but changed or already gone when deleted.
    skipped: int
    complete: bool

    def as_log(self) -> dict[str, Any]:
        """The run's summary as one structured log line."""
        return {
            "ended_before": self.ended_before.isoformat(),
            "purged": self.purged,
            "skipped": self.skipped,
            "complete": self.complete,
        }


def years_before(moment: datetime, years: int) -> datetime:
    """The same calendar moment `years` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


class RetentionPurgeJob:
    """Deletes session records that ended longer ago than the jurisdiction's retention.

    Only sessions: ledger entries are kept forever and the audit trail is write-once. A session still
    active is never purged, whatever its age (the cleanup ends it first).
    """

    def __init__(self, housekeeping: SessionHousekeeping, clock: Clock, retention_years: int) -> None:
        if retention_years < 1:
            raise ValueError("the retention must be at least one year")
        self._housekeeping = housekeeping
        self._clock = clock
        self._retention_years = retention_years

    def run(self, budget: TimeBudget) -> PurgeSummary:
        """Purge every session the scan finds that ended before the retention cut-off."""
        ended_before = years_before(self._clock.now(), self._retention_years)
        purged = skipped = 0
        complete = True
        for session_id in self._housekeeping.ended_session_ids(ended_before):
            if budget.exhausted():
                complete = False
                break
            if self._housekeeping.purge_session(session_id, ended_before):
                purged += 1
            else:
                skipped += 1
        return PurgeSummary(ended_before, purged, skipped, complete)


class Unlimited:
    """A time budget that is never spent (tests, and runs outside Lambda)."""

    def exhausted(self) -> bool:
        return False
