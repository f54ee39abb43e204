"""The reconciliation function: checks every hour that each player's ledger sums equal the balances.

Cloud Scheduler calls it (infra/modules/scheduled_jobs). Read only: its service account may read the
database and nothing more (roles/datastore.viewer). A mismatch is published as a ReconciliationMismatch
event on the scheduled jobs' topic and counted in the ReconciliationMismatches metric (a log line on
GCP: observability.py); the run's summary is one log line.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..domain.jobs import JobRun
from ..gcp_scheduled import DeadlineBudget, ScheduledCall, answer
from ..workers.ledger_jobs import RECHECK_PAUSE_SECONDS, run_reconciliation

if TYPE_CHECKING:
    from flask import Request

    from ..domain.ledger_jobs import ReconciliationJob

_job: ReconciliationJob | None = None


def reconciliation(request: Request) -> tuple[dict[str, Any], int]:
    """The reconciliation function (functions-framework, signature type http): one scheduled call."""
    from ..settings import SystemClock

    budget = DeadlineBudget.from_env()

    def step(call: ScheduledCall) -> dict[str, Any]:
        run = JobRun(call.correlation_id, call.scheduled_at)
        return run_reconciliation(_reconciliation_job(), run, budget)

    return answer("reconciliation", request.headers, SystemClock(), step)


def _reconciliation_job() -> ReconciliationJob:
    """The job on GCP, built on the first call and reused while the instance lives."""
    global _job  # one set of clients per instance
    if _job is None:
        from ..adapters.firestore_ledger_jobs import FirestoreWalletScanner
        from ..adapters.firestore_wallet import FirestoreLedgerStore
        from ..adapters.gcp_clients import database, event_publisher, firestore_client, gcp_settings
        from ..domain.ledger_jobs import ReconciliationJob
        from ..domain.wallet import Wallet
        from ..settings import SystemClock

        event_source = gcp_settings().event_source
        wallet = Wallet(
            FirestoreLedgerStore(database(), firestore_client()), SystemClock(), f"{event_source}.wallet"
        )
        _job = ReconciliationJob(
            wallet,
            FirestoreWalletScanner(firestore_client()),
            event_publisher(),
            f"{event_source}.scheduled_jobs",
            recheck_pause=lambda: time.sleep(RECHECK_PAUSE_SECONDS),
        )
    return _job
