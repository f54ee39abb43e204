"""Counts one wallet or tournament event towards the promotions: the worker's step on every cloud."""

from __future__ import annotations

from datetime import datetime

from ..domain.errors import ValidationFailed
from ..domain.money import Money
from ..domain.promotions import PromotionService
from ..worker_events import BusEvent, MalformedEvent

TRIGGERS = frozenset({"FundsDeposited", "BetPlaced", "BetSettled", "TournamentEntered"})


def apply_promotion_event(event: BusEvent, service: PromotionService) -> list[str]:
    """Count the event (once per event id) and grant what it earns; the outcomes, for the log."""
    if event.detail_type not in TRIGGERS:
        return ["ignored: not a promotion trigger"]
    player_id = event.text("player_id")
    event_id = event.text("event_id")
    # Without a usable correlation id of its own, the event's id links what it causes to it.
    correlation_id = event.correlation_id or event_id
    if event.detail_type == "BetSettled":
        bet_transaction_id = event.text("bet_transaction_id")
        return service.on_bet_settled(player_id, event_id, bet_transaction_id, correlation_id=correlation_id)
    occurred_at = _moment(event)
    if event.detail_type == "TournamentEntered":
        event.text("tournament_id")  # an entry that names no tournament is not one
        return service.on_tournament_entered(player_id, occurred_at, correlation_id=correlation_id)
    money = _money(event)
    if event.detail_type == "FundsDeposited":
        return service.on_deposit(player_id, event_id, money, occurred_at, correlation_id=correlation_id)
    return service.on_bet_placed(player_id, event_id, money, occurred_at, correlation_id=correlation_id)


def _moment(event: BusEvent) -> datetime:
    try:
        moment = datetime.fromisoformat(event.text("occurred_at"))
    except ValueError as error:
        raise MalformedEvent("occurred_at must be an ISO 8601 date and time") from error
    if moment.tzinfo is None:
        raise MalformedEvent("occurred_at must carry its UTC offset")
    return moment


def _money(event: BusEvent) -> Money:
    try:
        return Money.of(event.detail.get("amount"), event.detail.get("currency"))
    except ValidationFailed as error:
        raise MalformedEvent(error.message) from error
