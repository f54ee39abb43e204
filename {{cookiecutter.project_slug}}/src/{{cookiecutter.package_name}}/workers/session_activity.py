"""Adds a bet or a win to its session's activity (the sessions worker, on every cloud)."""

from __future__ import annotations

from ..domain.sessions import SessionActivity, SessionService
from .events import BusEvent

BET_EVENTS = frozenset({"BetPlaced", "BetSettled"})


def apply_session_activity(event: BusEvent, service: SessionService) -> str:
    """Apply a wallet BetPlaced or BetSettled to its session, once per event id; the outcome."""
    if event.detail_type not in BET_EVENTS:
        return "ignored: not a bet or a win"
    if event.detail.get("session_id") is None:
        return "ignored: played outside a session"
    session_id = event.text("session_id")
    event_id = event.text("event_id")
    player_id = event.text("player_id")
    amount = event.amount()
    if event.detail_type == "BetPlaced":
        activity = SessionActivity(bets=1, staked=amount)
    else:
        activity = SessionActivity(won=amount)
    applied = service.record_bet_activity(session_id, event_id, activity, player_id=player_id)
    return "applied" if applied else "skipped: already applied or not the player's session"
