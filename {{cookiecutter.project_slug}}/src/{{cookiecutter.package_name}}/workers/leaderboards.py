"""Scores one wallet event on the leaderboards and advances missions: the worker's step on every cloud."""

from __future__ import annotations

from datetime import datetime

from ..domain.leaderboards import SCORED_EVENTS, LeaderboardService, Play
from ..observability import add_metric
from ..worker_events import BusEvent, MalformedEvent


def score_play(event: BusEvent, service: LeaderboardService, fallback_correlation_id: str) -> str:
    """Apply the event once per event id; the outcome, for the log.

    `fallback_correlation_id` (the delivery's message id) traces what the play causes when the event
    carries no usable correlation id.
    """
    if event.detail_type not in SCORED_EVENTS:
        return "ignored: not an event the leaderboards score"
    correlation_id = event.correlation_id or fallback_correlation_id
    outcome = service.record_play(_play(event), correlation_id=correlation_id)
    if outcome.rewarded:
        add_metric("MissionsCompleted", len(outcome.rewarded))
    if not outcome.scored:
        return "ignored: no board or mission counts it"
    rewarded = f"; rewarded {', '.join(outcome.rewarded)}" if outcome.rewarded else ""
    if outcome.excluded:
        rewarded += f"; skipped: player excluded ({', '.join(outcome.excluded)} not rewarded)"
    return ("applied" if outcome.applied else "skipped: already applied") + rewarded


def _play(event: BusEvent) -> Play:
    amount = event.amount()
    occurred_at = event.text("occurred_at")
    try:
        # The window is the one the play happened in, not the one it is processed in: a redelivery
        # after midnight still lands on the same day's board.
        moment = datetime.fromisoformat(occurred_at)
    except ValueError as error:
        raise MalformedEvent("occurred_at must be an ISO 8601 time") from error
    if moment.tzinfo is None:
        raise MalformedEvent("occurred_at must carry its time zone")
    funds = event.detail.get("funds")
    return Play(
        event_id=event.text("event_id"),
        event=event.detail_type,
        player_id=event.text("player_id"),
        amount=amount,
        currency=event.text("currency"),
        occurred_at=moment,
        # Missions count cash play only; an event without funds counts for none.
        funds=funds if isinstance(funds, str) else None,
    )
