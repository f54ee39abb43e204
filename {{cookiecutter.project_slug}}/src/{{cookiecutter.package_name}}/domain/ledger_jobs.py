"""Scheduled jobs of the hosted wallet's ledger: reconciliation and the daily ledger export.

Both only read the ledger: reconciliation reports a mismatch and never repairs it, the export copies a
day's entries. Bounded and safe to run again, like every job (jobs.py). Generated with the hosted wallet
only: in the hybrid mode the operator's own platform holds the ledger and reconciles it.
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

if TYPE_CHECKING:
    from ..ports import EventPublisher
    from ..ports.ledger_jobs import ExportSink, WalletScanner
    from ..ports.scheduled_jobs import TimeBudget
    from .jobs import JobRun
    from .wallet import LedgerEntry, Reconciliation, Wallet

# Where the ledger export of one UTC day is written; a rerun of the day replaces the same object.
EXPORT_KEY_FORMAT = "exports/ledger/date={day}/ledger.jsonl"
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Player ids a reconciliation summary names at most.
LOGGED_PLAYERS = 100


class JobOutOfTime(RuntimeError):
    """The run's time budget was spent before a job that must finish whole (the export) was done."""


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
