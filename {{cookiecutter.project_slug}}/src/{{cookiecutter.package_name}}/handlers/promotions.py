"""Grants promotion bonuses and tracks wagering from wallet and tournament events.

SQS delivers the wallet's FundsDeposited, BetPlaced and BetSettled, and the leaderboards'
TournamentEntered when that module is on (an EventBridge event in each message body). Every effect
is once per event: a bet is counted once per event id, a bonus is granted once per player and
promotion, a settled bet's stake is counted once. A record that cannot be processed is reported in
batchItemFailures: SQS retries only it, then moves it to the dead-letter queue, while the rest of
the batch is acknowledged. What this worker causes (the wallet's BonusGranted, WageringCompleted)
carries the correlation id of the event that caused it.
A grant the wallet refuses because the player is self-excluded or cooling off (with player
protection) is an outcome ("skipped: player excluded"): the record is acknowledged, never retried or
dead-lettered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import registry
from ..domain.promotions import PromotionService
from ..observability import bind_invocation, flush_metrics
from ..workers.promotions import apply_promotion_event
from .promotion_bonuses import DeferredLedger, promotion_bonuses
from .sqs import BatchResponse, bus_event, process_records

if TYPE_CHECKING:
    from ..adapters.dynamodb_wallet import DynamoLedgerStore

_service: PromotionService | None = None


def handler(event: dict[str, Any], context: object) -> BatchResponse:
    """Lambda entry point (partial batch responses: functionResponseType ReportBatchItemFailures)."""
    bind_invocation(context)
    try:
        return process_batch(event, _promotion_service())
    finally:
        flush_metrics()


def process_batch(event: dict[str, Any], service: PromotionService) -> BatchResponse:
    """Apply every record; return the message ids of those that failed."""
    records = event.get("Records", [])
    return process_records(records, lambda record: _apply(record, service), "promotions record")


def _apply(record: dict[str, Any], service: PromotionService) -> list[str]:
    return apply_promotion_event(bus_event(record), service)


def _promotion_service() -> PromotionService:
    """The service on AWS, built on the first invocation and reused while the container lives."""
    global _service  # one set of clients per container
    if _service is None:
        from ..adapters.dynamodb_promotions import DynamoPromotionStore
        from ..adapters.eventbridge import EventBridgePublisher
        from ..domain.promotions import packaged_promotions
        from ..settings import Settings, SystemClock
        from ..settings_promotions import PromotionSettings

        settings = Settings.from_env()
        publisher = EventBridgePublisher(settings.event_bus_name)
        clock = SystemClock()
        source = settings.event_source
        # The hosted wallet's ledger, where it is, built on the first settled bet or grant; in hybrid mode
        # the operator's platform keeps the stakes.
        ledger = None if registry.enabled("operator_wallet") else _hosted_ledger(settings.wallet_table_name)
        _service = PromotionService(
            packaged_promotions(),
            DynamoPromotionStore(PromotionSettings.from_env().promotions_table_name),
            # Built on the first grant: most events count towards a promotion without granting one.
            promotion_bonuses(ledger, publisher, clock, source),
            ledger,
            publisher,
            clock,
            f"{source}.promotions",
        )
    return _service


def _hosted_ledger(table_name: str) -> DeferredLedger:
    def ledger() -> DynamoLedgerStore:
        from ..adapters.dynamodb_wallet import DynamoLedgerStore

        return DynamoLedgerStore(table_name)

    return DeferredLedger(ledger)
