"""Scheduled jobs: reconciliation, stale-session cleanup, the daily ledger export and the retention purge.

Every job is bounded and safe to run again. It works through what it scans until the time budget is
spent, then stops and says so; the next run starts over, so nothing is lost by stopping early. None
of them changes money: reconciliation only reports, the export only reads the ledger, the cleanup
ends sessions through the sessions domain, and the purge removes ended sessions, never ledger entries.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from .errors import ValidationFailed
from .events import DomainEvent
from .sessions import SessionStatus

if TYPE_CHECKING:
    from ..ports import Clock, EventPublisher
    from ..ports.scheduled_jobs import ExportSink, SessionHousekeeping, TimeBudget, WalletScanner
    from ..ports.sessions import SessionStore
    from .sessions import SessionService
    from .wallet import LedgerEntry, Reconciliation, Wallet

# Where the ledger export of one UTC day is written; a rerun of the day replaces the same object.
EXPORT_KEY_FORMAT = "exports/ledger/date={day}/ledger.jsonl"
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Player ids a reconciliation summary names at most.
LOGGED_PLAYERS = 100


class JobOutOfTime(RuntimeError):
    """The run's time budget was spent before a job that must finish whole (the export) was done."""


@dataclass(frozen=True, slots=True)
class JobRun:
    """One run of a job: the id its log lines and events carry, and the moment it was scheduled for."""

    correlation_id: str
    scheduled_at: datetime


# Reconciliation ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReconciliationSummary:
    """What one reconciliation run found."""

    players_checked: int
    mismatches: tuple[Reconciliation, ...]
    # Suspects whose difference moved between the two looks: the player was playing; checked next run.
    unsettled: tuple[str, ...]
    complete: bool

    def as_log(self) -> dict[str, Any]:
        """The run's summary as one structured log line (player ids only, no amounts)."""
        return {
            "players_checked": self.players_checked,
            "mismatches": len(self.mismatches),
            # The first ones only: the events name every player, and a log line has a size limit.
            "mismatched_players": [mismatch.player_id for mismatch in self.mismatches[:LOGGED_PLAYERS]],
            "unsettled": len(self.unsettled),
            "complete": self.complete,
        }


def _difference(reconciliation: Reconciliation) -> tuple[int, int]:
    return (
        reconciliation.ledger_cash - reconciliation.balance_cash,
        reconciliation.ledger_bonus - reconciliation.balance_bonus,
    )


def _no_pause() -> None:
    return None


class ReconciliationJob:
    """Checks, for every player with a balance, that the ledger's sums equal the stored balances.

    Read only: a mismatch is reported (one ReconciliationMismatch event each), never repaired; money is
    corrected by people, through the ledger. The ledger is read through an index that lags its writes
    by a moment, so a player betting during the run can look unbalanced once. A suspect is therefore
    looked at again after `recheck_pause`, and reported only if it is still off by the same amounts.
    """

    def __init__(
        self,
        wallet: Wallet,
        players: WalletScanner,
        publisher: EventPublisher,
        source: str,
        recheck_pause: Callable[[], None] = _no_pause,
    ) -> None:
        self._wallet = wallet
        self._players = players
        self._publisher = publisher
        self._source = source  # EventBridge Source of the jobs' events, e.g. "<package>.scheduled_jobs"
        self._recheck_pause = recheck_pause

    def run(self, run: JobRun, budget: TimeBudget) -> ReconciliationSummary:
        """Reconcile every player the scan finds before the budget is spent; publish each mismatch."""
        checked = 0
        complete = True
        suspects: list[Reconciliation] = []
        for player_id in self._players.player_ids():
            if budget.exhausted():
                complete = False
                break
            checked += 1
            reconciliation = self._wallet.reconcile(player_id)
            if not reconciliation.balanced:
                suspects.append(reconciliation)
        mismatches: list[Reconciliation] = []
        unsettled: list[str] = []
        if suspects:
            self._recheck_pause()
        for first in suspects:
            again = self._wallet.reconcile(first.player_id)
            if again.balanced:
                continue  # the index had not caught up with the player's last transaction
            if _difference(again) == _difference(first):
                mismatches.append(again)
            else:
                unsettled.append(first.player_id)
        if mismatches:
            self._publisher.publish([self._mismatch(mismatch, run) for mismatch in mismatches])
        return ReconciliationSummary(checked, tuple(mismatches), tuple(unsettled), complete)

    def _mismatch(self, reconciliation: Reconciliation, run: JobRun) -> DomainEvent:
        cash, bonus = _difference(reconciliation)
        return DomainEvent(
            name="ReconciliationMismatch",
            source=self._source,
            detail={
                "player_id": reconciliation.player_id,
                "ledger_cash": reconciliation.ledger_cash,
                "balance_cash": reconciliation.balance_cash,
                "ledger_bonus": reconciliation.ledger_bonus,
                "balance_bonus": reconciliation.balance_bonus,
                "cash_difference": cash,
                "bonus_difference": bonus,
                # Part of the event id: a retried run repeats its events, the next hour's run is new.
                "scheduled_at": run.scheduled_at.isoformat(),
            },
            correlation_id=run.correlation_id,
            occurred_at=run.scheduled_at,
        )


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


# Ledger export ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What one ledger export wrote."""

    day: date
    key: str
    entries: int
    size_bytes: int

    def as_log(self) -> dict[str, Any]:
        """The run's summary as one structured log line."""
        return {
            "day": self.day.isoformat(),
            "key": self.key,
            "entries": self.entries,
            "bytes": self.size_bytes,
        }


def export_key(day: date) -> str:
    """The object key of one day's ledger export."""
    return EXPORT_KEY_FORMAT.format(day=day.isoformat())


def day_to_export(requested: object, scheduled_at: datetime) -> date:
    """The UTC day a run exports: `requested` (YYYY-MM-DD) if given, else the day before `scheduled_at`.

    A requested day must be over: today's ledger is still being written.
    """
    today = scheduled_at.astimezone(UTC).date()
    if requested is None:
        return today - timedelta(days=1)
    if not isinstance(requested, str) or not _DAY_RE.fullmatch(requested):
        raise ValidationFailed("date must be a day as YYYY-MM-DD", field="date")
    try:
        day = date.fromisoformat(requested)
    except ValueError:
        raise ValidationFailed("date is not a day of the calendar", field="date") from None
    if day >= today:
        raise ValidationFailed("date must be a day that is over (UTC)", field="date")
    return day


def ledger_line(entry: LedgerEntry) -> str:
    """One ledger entry as a line of the export (JSON; the fingerprint stays internal)."""
    return json.dumps(
        {
            "transaction_id": entry.transaction_id,
            "player_id": entry.player_id,
            "kind": entry.kind.value,
            "amount": entry.amount,
            "currency": entry.currency,
            "funds": entry.funds.value,
            "created_at": entry.created_at.astimezone(UTC).isoformat(),
            "reference": entry.reference,
            "reversed_by": entry.reversed_by,
        },
        sort_keys=True,
    )


@dataclass(slots=True)
class _Counter:
    entries: int = 0


class LedgerExportJob:
    """Writes one UTC day's ledger entries as newline-delimited JSON to the export store.

    The export is all or nothing: if the budget runs out mid-scan the run fails and the object already
    stored for that day (if any) stays as it was. A rerun of a day replaces its object.
    """

    def __init__(self, ledger: WalletScanner, sink: ExportSink) -> None:
        self._ledger = ledger
        self._sink = sink

    def run(self, day: date, budget: TimeBudget) -> ExportSummary:
        """Export `day` (00:00 to 24:00 UTC) to its key."""
        start = datetime.combine(day, time.min, tzinfo=UTC)
        counter = _Counter()
        key = export_key(day)
        size = self._sink.write(key, self._lines(start, start + timedelta(days=1), budget, counter))
        return ExportSummary(day, key, counter.entries, size)

    def _lines(self, start: datetime, end: datetime, budget: TimeBudget, counter: _Counter) -> Iterator[str]:
        for entry in self._ledger.entries_created_between(start, end):
            if budget.exhausted():
                raise JobOutOfTime(
                    f"the export of {start.date()} ran out of time after {counter.entries} entries"
                )
            counter.entries += 1
            yield ledger_line(entry)


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
