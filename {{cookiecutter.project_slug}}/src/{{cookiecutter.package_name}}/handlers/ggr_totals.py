"""Adds the wallet's bets, wins and rollbacks to the daily GGR totals per currency.

SQS delivers the wallet's BetPlaced, BetSettled and BetRolledBack events (an EventBridge event in
each message body). Each event is counted once per event id, so a redelivered message changes
nothing. A record that cannot be processed is reported in batchItemFailures: SQS retries only it,
then moves it to the dead-letter queue, while the rest of the batch is acknowledged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.money import CURRENCY_RE, MAX_AMOUNT
from ..domain.reporting import BONUS, CASH, PLAY_EVENTS, GgrCounter, Play
from ..observability import add_metric, bind_invocation, flush_metrics
from .sqs import BatchResponse, BusEvent, MalformedEvent, bus_event, process_records

_counter: GgrCounter | None = None


def handler(event: dict[str, Any], context: object) -> BatchResponse:
    """Lambda entry point (partial batch responses: functionResponseType ReportBatchItemFailures)."""
    bind_invocation(context)
    try:
        return process_batch(event, _ggr_counter())
    finally:
        flush_metrics()


def process_batch(event: dict[str, Any], counter: GgrCounter) -> BatchResponse:
    """Count every record; return the message ids of those that failed."""
    records = event.get("Records", [])
    return process_records(records, lambda record: _count(record, counter), "ggr totals record")


def _count(record: dict[str, Any], counter: GgrCounter) -> str:
    event = bus_event(record)
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


def _ggr_counter() -> GgrCounter:
    """The counter on AWS, built on the first invocation and reused while the container lives."""
    global _counter  # one client per container
    if _counter is None:
        from ..adapters.dynamodb_reporting import DynamoGgrTotalsStore
        from ..settings_reporting import ReportingSettings

        _counter = GgrCounter(DynamoGgrTotalsStore(ReportingSettings.from_env().reporting_table_name))
    return _counter
