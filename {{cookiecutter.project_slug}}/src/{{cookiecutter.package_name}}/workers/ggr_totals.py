"""Adds a wallet bet, win or rollback to its day's GGR totals: the reporting worker's step on every cloud."""

from __future__ import annotations

from datetime import datetime

from ..domain.money import CURRENCY_RE, MAX_AMOUNT
from ..domain.reporting import BONUS, CASH, PLAY_EVENTS, GgrCounter, Play
from ..observability import add_metric
from ..worker_events import BusEvent, MalformedEvent


def count_play(event: BusEvent, counter: GgrCounter) -> str:
    """Count one wallet event once per event id; the outcome, for the log (MalformedEvent if unreadable)."""
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
