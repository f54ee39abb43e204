"""Adds the wallet's bets, wins and rollbacks to the daily GGR totals per currency.

SQS delivers the wallet's BetPlaced, BetSettled and BetRolledBack events (an EventBridge event in
each message body). Each event is counted once per event id, so a redelivered message changes
nothing. A record that cannot be processed is reported in batchItemFailures: SQS retries only it,
then moves it to the dead-letter queue, while the rest of the batch is acknowledged.
"""

from __future__ import annotations

from typing import Any

from ..domain.reporting import GgrCounter
from ..observability import bind_invocation, flush_metrics
from ..workers.reporting import count_play
from .sqs import BatchResponse, bus_event, process_records

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
    return count_play(bus_event(record), counter)


def _ggr_counter() -> GgrCounter:
    """The counter on AWS, built on the first invocation and reused while the container lives."""
    global _counter  # one client per container
    if _counter is None:
        from ..adapters.dynamodb_reporting import DynamoGgrTotalsStore
        from ..settings_reporting import ReportingSettings

        _counter = GgrCounter(DynamoGgrTotalsStore(ReportingSettings.from_env().reporting_table_name))
    return _counter
