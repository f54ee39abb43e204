"""Checks every hour that each player's ledger sums equal the stored cash and bonus balances.

Read only. A mismatch is published as a ReconciliationMismatch event (source
<package>.scheduled_jobs) and counted in the ReconciliationMismatches metric, which the
ReconciliationMismatch alarm watches; the run's summary is one log line.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..domain.ledger_jobs import ReconciliationJob
from ..observability import bind_invocation, flush_metrics, set_correlation_id
from ..workers.ledger_jobs import reconcile
from .scheduled import LambdaTimeBudget, scheduled_run

if TYPE_CHECKING:
    from ..ports import Clock

# How long a suspect mismatch waits before its second look: the ledger's index catches up well within.
RECHECK_PAUSE_SECONDS = 2.0

_job: ReconciliationJob | None = None


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point (EventBridge schedule)."""
    from ..settings import SystemClock

    bind_invocation(context)
    try:
        return run(event, context, _reconciliation_job(), SystemClock())
    finally:
        flush_metrics()
        set_correlation_id(None)


def run(event: dict[str, Any], context: object, job: ReconciliationJob, clock: Clock) -> dict[str, Any]:
    """Reconcile every player; add the metrics and log the summary."""
    job_run = scheduled_run(event, context, clock)
    set_correlation_id(job_run.correlation_id)
    return reconcile(job, job_run, LambdaTimeBudget(context))


def _reconciliation_job() -> ReconciliationJob:
    """The job on AWS, built on the first invocation and reused while the container lives."""
    global _job  # one set of clients per container
    if _job is None:
        from ..adapters.dynamodb_ledger_jobs import DynamoWalletScanner
        from ..adapters.dynamodb_wallet import DynamoLedgerStore
        from ..adapters.eventbridge import EventBridgePublisher
        from ..domain.wallet import Wallet
        from ..settings import Settings, SystemClock

        settings = Settings.from_env()
        publisher = EventBridgePublisher(settings.event_bus_name)
        wallet = Wallet(
            DynamoLedgerStore(settings.wallet_table_name),
            SystemClock(),
            f"{settings.event_source}.wallet",
        )
        _job = ReconciliationJob(
            wallet,
            DynamoWalletScanner(settings.wallet_table_name),
            publisher,
            f"{settings.event_source}.scheduled_jobs",
            recheck_pause=lambda: time.sleep(RECHECK_PAUSE_SECONDS),
        )
    return _job
