"""Scores wallet events on the leaderboards and advances missions.

SQS delivers the wallet's BetPlaced, BetSettled and BonusGranted events (an EventBridge event in each
message body). Each event is applied once per event id, so a redelivered message changes no score; a
mission it completed is rewarded once, whatever the redeliveries. A record that cannot be processed is
reported in batchItemFailures: SQS retries only it, then moves it to the dead-letter queue, while the
rest of the batch is acknowledged.
A mission reward the wallet refuses because the player is self-excluded or cooling off (with player
protection) is an outcome ("skipped: player excluded"): the record is acknowledged, never retried or
dead-lettered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.leaderboards import LeaderboardService
from ..observability import bind_invocation, flush_metrics
from ..workers.leaderboards import score_play
from .bonus_wallet import mission_rewards
from .sqs import BatchResponse, bus_event, message_id, process_records

if TYPE_CHECKING:
    from ..adapters.dynamodb_wallet import DynamoLedgerStore

_service: LeaderboardService | None = None


def handler(event: dict[str, Any], context: object) -> BatchResponse:
    """Lambda entry point (partial batch responses: functionResponseType ReportBatchItemFailures)."""
    bind_invocation(context)
    try:
        return process_batch(event, _leaderboard_service())
    finally:
        flush_metrics()


def process_batch(event: dict[str, Any], service: LeaderboardService) -> BatchResponse:
    """Apply every record; return the message ids of those that failed."""
    records = event.get("Records", [])
    return process_records(records, lambda record: _apply(record, service), "leaderboard record")


def _apply(record: dict[str, Any], service: LeaderboardService) -> str:
    return score_play(bus_event(record), service, message_id(record))


def _leaderboard_service() -> LeaderboardService:
    """The service on AWS, built on the first invocation and reused while the container lives."""
    global _service  # one set of clients per container
    if _service is None:
        from ..adapters.dynamodb_leaderboards import DynamoLeaderboardStore
        from ..adapters.eventbridge import EventBridgePublisher
        from ..settings import Settings, SystemClock
        from ..settings_leaderboards import LeaderboardSettings

        settings = Settings.from_env()
        board_settings = LeaderboardSettings.from_env()
        publisher = EventBridgePublisher(settings.event_bus_name)
        clock = SystemClock()
        source = settings.event_source

        def ledger() -> DynamoLedgerStore:
            from ..adapters.dynamodb_wallet import DynamoLedgerStore  # with the wallet: on the first reward

            return DynamoLedgerStore(settings.wallet_table_name)

        _service = LeaderboardService(
            DynamoLeaderboardStore(board_settings.leaderboards_table_name),
            publisher,
            clock,
            f"{source}.leaderboards",
            mission_min_stake=board_settings.mission_min_stake,
            # Mission rewards are bonus money: the wallet (or in hybrid mode the operator's) credits them. It
            # is built when the first mission completes: most plays only move scores.
            bonuses=mission_rewards(ledger, publisher, clock, source),
        )
    return _service
