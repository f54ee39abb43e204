"""Reporting: the daily gross gaming revenue (GGR) per currency, added up from the wallet's play.

GGR = stakes - rolled-back stakes - wins of cash play, in integer minor units, per UTC calendar day and
currency (amounts of two currencies never add up). Play funded by bonus money (the wallet's events carry
`funds`: cash or bonus) is counted apart, beside it (bonus_bets, bonus_stakes, bonus_wins,
bonus_rolled_back_stakes, bonus_ggr): a bonus stake is the casino's own money coming back, not revenue.
Each wallet event counts once, on the day it happened: a rollback or a win is counted on its own day,
not on its bet's, so a day that is over only changes if an event of that day arrives late (a redrive
from a dead-letter queue); rewriting that day's report then picks it up.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import ValidationFailed
from .events import DomainEvent

if TYPE_CHECKING:
    from ..ports import Clock, EventPublisher
    from ..ports.reporting import GgrTotalsStore, ReportWriter

# The UTC calendar day play is counted on and a report covers.
type GgrDay = date

# The wallet events that move GGR, by EventBridge detail type.
BET_PLACED = "BetPlaced"
BET_SETTLED = "BetSettled"
BET_ROLLED_BACK = "BetRolledBack"
PLAY_EVENTS = frozenset({BET_PLACED, BET_SETTLED, BET_ROLLED_BACK})

# The balances a stake can come from (the wallet's Funds); a win or a rollback names its bet's.
CASH = "cash"
BONUS = "bonus"

REPORT_PREFIX = "reports/ggr/"
CSV_COLUMNS = (
    "date",
    "currency",
    "bets",
    "stakes",
    "wins",
    "rolled_back_stakes",
    "ggr",
    "bonus_bets",
    "bonus_stakes",
    "bonus_wins",
    "bonus_rolled_back_stakes",
    "bonus_ggr",
)
DEFINITION = (
    "ggr = stakes - rolled_back_stakes - wins of cash play, in minor units, per UTC day; "
    "bonus-funded play is counted apart (bonus_*) and is not GGR"
)


@dataclass(frozen=True, slots=True)
class PlayTotals:
    """Bets counted and stakes, wins and rolled-back stakes in minor units of one currency.

    The plain fields are cash play; the bonus_ ones, play funded by bonus money.
    """

    bets: int = 0
    stakes: int = 0
    wins: int = 0
    rolled_back_stakes: int = 0
    bonus_bets: int = 0
    bonus_stakes: int = 0
    bonus_wins: int = 0
    bonus_rolled_back_stakes: int = 0

    @property
    def ggr(self) -> int:
        """What the house kept of cash play: stakes that stood, less what it paid out (can be negative)."""
        return self.stakes - self.rolled_back_stakes - self.wins

    @property
    def bonus_ggr(self) -> int:
        """The same sum over bonus-funded play: shown beside GGR, never part of it."""
        return self.bonus_stakes - self.bonus_rolled_back_stakes - self.bonus_wins

    def plus(self, other: PlayTotals) -> PlayTotals:
        """These totals with `other` added."""
        return PlayTotals(
            **{name: getattr(self, name) + getattr(other, name) for name in TOTALS_FIELDS},
        )

    def as_json(self) -> dict[str, int]:
        """The totals and the GGR they make, as report fields (bonus figures after GGR)."""
        return {
            "bets": self.bets,
            "stakes": self.stakes,
            "wins": self.wins,
            "rolled_back_stakes": self.rolled_back_stakes,
            "ggr": self.ggr,
            "bonus_bets": self.bonus_bets,
            "bonus_stakes": self.bonus_stakes,
            "bonus_wins": self.bonus_wins,
            "bonus_rolled_back_stakes": self.bonus_rolled_back_stakes,
            "bonus_ggr": self.bonus_ggr,
        }


# The stored totals of a day and currency, in the order of PlayTotals' fields.
TOTALS_FIELDS = (
    "bets",
    "stakes",
    "wins",
    "rolled_back_stakes",
    "bonus_bets",
    "bonus_stakes",
    "bonus_wins",
    "bonus_rolled_back_stakes",
)


@dataclass(frozen=True, slots=True)
class Play:
    """One wallet event's share of a day's totals; `event_id` makes it count once."""

    event_id: str
    day: GgrDay
    currency: str
    totals: PlayTotals

    @classmethod
    def of_wallet_event(
        cls,
        event_name: str,
        event_id: str,
        amount: int,
        currency: str,
        occurred_at: datetime,
        *,
        funds: str = CASH,
    ) -> Play | None:
        """The event's play, or None when it moves no GGR (another event, or a zero amount).

        A rollback of a bet that never arrived has amount zero (and maybe no currency): nothing to count.
        `funds` is the balance the stake came from (a win's or a rollback's: its bet's), cash or bonus.
        """
        if funds not in (CASH, BONUS):
            raise ValidationFailed(f"funds must be {CASH!r} or {BONUS!r}", field="funds")
        if event_name not in PLAY_EVENTS or amount == 0:
            return None
        bonus = funds == BONUS
        if event_name == BET_PLACED:
            totals = (
                PlayTotals(bonus_bets=1, bonus_stakes=amount) if bonus else PlayTotals(bets=1, stakes=amount)
            )
        elif event_name == BET_SETTLED:
            totals = PlayTotals(bonus_wins=amount) if bonus else PlayTotals(wins=amount)
        else:
            totals = (
                PlayTotals(bonus_rolled_back_stakes=amount)
                if bonus
                else PlayTotals(rolled_back_stakes=amount)
            )
        return cls(event_id, occurred_at.astimezone(UTC).date(), currency, totals)


@dataclass(frozen=True, slots=True)
class DailyTotals:
    """A day's play in one currency."""

    day: GgrDay
    currency: str
    totals: PlayTotals


@dataclass(frozen=True, slots=True)
class ReportFile:
    """One object of a report: where it goes under the analytics bucket and its exact bytes."""

    key: str
    body: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class DailyGgrReport:
    """A day's GGR per currency. The same totals always give the same bytes (no generation time)."""

    day: GgrDay
    currencies: tuple[DailyTotals, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "report": "ggr",
            "date": self.day.isoformat(),
            "definition": DEFINITION,
            "currencies": [
                {"currency": line.currency, **line.totals.as_json()}
                for line in sorted(self.currencies, key=_by_currency)
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_json(), sort_keys=True, indent=2) + "\n"

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for line in sorted(self.currencies, key=_by_currency):
            fields = line.totals.as_json()
            writer.writerow(
                [self.day.isoformat(), line.currency, *(fields[name] for name in CSV_COLUMNS[2:])]
            )
        return out.getvalue()

    def files(self) -> tuple[ReportFile, ReportFile]:
        """The JSON report and its CSV twin, under reports/ggr/date=<YYYY-MM-DD>/ (Hive-style, for Athena)."""
        folder = f"{REPORT_PREFIX}date={self.day.isoformat()}/"
        return (
            ReportFile(folder + "ggr.json", self.to_json().encode(), "application/json"),
            ReportFile(folder + "ggr.csv", self.to_csv().encode(), "text/csv"),
        )


@dataclass(frozen=True, slots=True)
class WrittenReport:
    """A report and where its files are."""

    report: DailyGgrReport
    locations: tuple[str, ...]


def _by_currency(line: DailyTotals) -> str:
    return line.currency


def report_date(raw: object) -> GgrDay:
    """The date of a re-run request ({"date": "YYYY-MM-DD"}), validated."""
    if not isinstance(raw, str):
        raise ValidationFailed("date must be a string like 2026-11-26", field="date")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed("date must be a calendar date like 2026-11-26", field="date") from None
    if raw != day.isoformat():  # fromisoformat also takes 20261126; the report key wants one spelling
        raise ValidationFailed("date must be written YYYY-MM-DD", field="date")
    return day


class GgrCounter:
    """Adds the wallet's play to the daily totals, once per event."""

    def __init__(self, totals: GgrTotalsStore) -> None:
        self._totals = totals

    def count(self, play: Play) -> bool:
        """Add `play` to its day and currency; False if its event was already counted."""
        return self._totals.add(play)


class DailyGgrReporter:
    """Writes a finished day's GGR report and announces it as DailyReportWritten."""

    def __init__(
        self,
        totals: GgrTotalsStore,
        writer: ReportWriter,
        publisher: EventPublisher,
        clock: Clock,
        source: str,
    ) -> None:
        self._totals = totals
        self._writer = writer
        self._publisher = publisher
        self._clock = clock
        self._source = source  # EventBridge Source of the reports' events, e.g. "<package>.reporting"

    def yesterday(self) -> GgrDay:
        """The last finished UTC day: what the daily run reports."""
        return self._today() - timedelta(days=1)

    def write_report(self, day: GgrDay | None = None, *, correlation_id: str) -> WrittenReport:
        """Write the report of `day` (yesterday by default); writing a day again gives the same objects.

        Only a finished day can be reported: today's totals are still moving.
        """
        day = self.yesterday() if day is None else day
        if day >= self._today():
            raise ValidationFailed("date must be a finished UTC day (before today)", field="date")
        report = DailyGgrReport(day, tuple(self._totals.day_totals(day)))
        locations = self._writer.write(report)
        # No time or counter in the detail: a re-run of the same report publishes the same event id.
        written = DomainEvent(
            name="DailyReportWritten",
            source=self._source,
            detail={
                "report": "ggr",
                "report_date": day.isoformat(),
                "locations": list(locations),
                "currencies": report.as_json()["currencies"],
            },
            correlation_id=correlation_id,
            occurred_at=self._clock.now(),
        )
        self._publisher.publish([written])
        return WrittenReport(report, locations)

    def _today(self) -> GgrDay:
        return self._clock.now().astimezone(UTC).date()
