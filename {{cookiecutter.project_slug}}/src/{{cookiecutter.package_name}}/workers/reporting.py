"""The reporting module's steps on every cloud: a wallet event counted in the daily GGR totals, and the
daily report written.

The Lambda handlers (handlers/ggr_totals.py, daily_report.py) and the Cloud Run functions
(gcp/ggr_totals.py, daily_report.py) read their queue's message or their schedule's call and call these.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from ..domain.money import CURRENCY_RE, MAX_AMOUNT
from ..domain.reporting import BONUS, CASH, PLAY_EVENTS, Play, report_date
from ..observability import add_metric, get_logger
from ..worker_events import BusEvent, MalformedEvent

if TYPE_CHECKING:
    from ..domain.reporting import DailyGgrReporter, GgrCounter

# What a run that names no date asks for (a date given as null is refused, not taken for this).
YESTERDAY: Final = object()


def count_play(event: BusEvent, counter: GgrCounter) -> str:
    """Count one wallet event in its day's totals once per event id; the outcome, for the log."""
    if event.detail_type not in PLAY_EVENTS:
        return "ignored: not a bet, a win or a rollback"
    event_id = event.text("event_id")
    amount = event.amount(maximum=MAX_AMOUNT)
    currency = event.detail.get("currency")
    if amount and (not isinstance(currency, str) or not CURRENCY_RE.fullmatch(currency)):
        raise MalformedEvent("currency must be a three-letter ISO 4217 code")
    play = Play.of_wallet_event(
        event.detail_type, event_id, amount, str(currency or ""), _occurred_at(event), funds=_funds(event)
    )
    if play is None:
        return "ignored: a zero amount moves no GGR"
    if not counter.count(play):
        return "skipped: already counted"
    add_metric("PlayCounted")
    return "counted"


def write_daily_report(reporter: DailyGgrReporter, requested: object, correlation_id: str) -> dict[str, Any]:
    """Write the report of `requested` (YYYY-MM-DD; YESTERDAY when the run names no date), announce it,
    and return a summary.

    ValidationFailed naming `date` if `requested` is not a date (a null one included): nothing is written.
    """
    day = None if requested is YESTERDAY else report_date(requested)
    written = reporter.write_report(day, correlation_id=correlation_id)
    add_metric("DailyReportsWritten")
    summary = {
        "report_date": written.report.day.isoformat(),
        "currencies": len(written.report.currencies),
        "locations": list(written.locations),
    }
    get_logger().info("daily ggr report written", extra=summary)
    return summary


def _funds(event: BusEvent) -> str:
    """The balance the play's stake came from: bonus play is counted apart from GGR."""
    funds = event.detail.get("funds", CASH)  # the wallet's events name it; an older one was cash only
    if funds not in (CASH, BONUS):
        raise MalformedEvent(f"funds must be {CASH!r} or {BONUS!r}")
    return str(funds)


def _occurred_at(event: BusEvent) -> datetime:
    raw = event.detail.get("occurred_at")
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        # The day a play is counted on must not depend on the worker's clock or time zone.
        raise MalformedEvent("occurred_at must be an ISO 8601 time with a UTC offset")
    return moment
