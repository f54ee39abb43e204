"""The scheduled jobs' functions of the hosted wallet's ledger: reconciliation, dataExport and jobRuns.

A file of projects with the wallet only (manifest.yaml: `together` scheduled_jobs and wallet): the hybrid
mode, where the operator's platform holds the ledger, has none of these jobs, as on AWS. azure_apps/jobs.py
registers them in the scheduled jobs' app when the registry has the wallet; tools/azure/package.py then
packages this file into that app's archive.
"""

# azure-functions' trigger decorators are untyped; the functions they register are typed here.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

import azure.functions as func

from ..adapters.azure_environment import STORAGE_CONNECTION
from ..observability import flush_metrics, set_correlation_id

if TYPE_CHECKING:
    from ..domain.ledger_jobs import LedgerExportJob, ReconciliationJob


@cache
def reconciliation_job() -> ReconciliationJob:
    """Reconciliation on the Wallet table (read only), publishing each mismatch on the topic."""
    import time

    from ..adapters.azure_environment import core_settings, table, topic_publisher
    from ..adapters.table_ledger_jobs import TableWalletScanner
    from ..adapters.table_wallet import TableLedgerStore
    from ..domain.ledger_jobs import ReconciliationJob
    from ..domain.wallet import Wallet
    from ..settings import SystemClock
    from ..workers import ledger_jobs

    settings = core_settings(os.environ)
    wallet_table = table(os.environ, settings.wallet_table_name)
    return ReconciliationJob(
        Wallet(TableLedgerStore(wallet_table), SystemClock(), f"{settings.event_source}.wallet"),
        TableWalletScanner(wallet_table),
        topic_publisher(os.environ),
        f"{settings.event_source}.scheduled_jobs",
        recheck_pause=lambda: time.sleep(ledger_jobs.RECHECK_PAUSE_SECONDS),
    )


@cache
def export_job() -> LedgerExportJob:
    """The ledger export from the Wallet table to the exports container (EXPORTS_CONTAINER)."""
    from ..adapters.azure_environment import connection, core_settings, table
    from ..adapters.blob_audit import container_client
    from ..adapters.blob_exports import BlobExportSink
    from ..adapters.table_ledger_jobs import TableWalletScanner
    from ..domain.ledger_jobs import LedgerExportJob
    from ..settings import required_variable

    settings = core_settings(os.environ)
    container = container_client(
        required_variable(os.environ, "EXPORTS_CONTAINER"), **connection(os.environ, "blobServiceUri")
    )
    return LedgerExportJob(
        TableWalletScanner(table(os.environ, settings.wallet_table_name)), BlobExportSink(container)
    )


def reconcile(timer: func.TimerRequest) -> None:
    """Check every player's ledger sums against the balances; publish each mismatch."""
    from ..workers.ledger_jobs import run_reconciliation
    from .jobs import job_run, time_budget

    budget = time_budget()
    run = job_run()
    set_correlation_id(run.correlation_id)
    try:
        run_reconciliation(reconciliation_job(), run, budget)
    finally:
        set_correlation_id(None)
        flush_metrics()


def export_ledger(timer: func.TimerRequest) -> None:
    """Export the previous UTC day's ledger entries to exports/ledger/date=YYYY-MM-DD/ledger.jsonl."""
    from ..workers.ledger_jobs import run_data_export
    from .jobs import job_run, time_budget

    budget = time_budget()
    run = job_run()
    set_correlation_id(run.correlation_id)
    try:
        run_data_export(export_job(), run, None, budget)
    finally:
        set_correlation_id(None)
        flush_metrics()


def run_job_for_a_day(message: func.QueueMessage) -> None:
    """Run the job an operator's message names for its day ({"job": "dataExport", "date": "YYYY-MM-DD"})."""
    from ..observability import get_logger
    from ..workers.job_runs import InvalidRunRequest, run_request
    from ..workers.ledger_jobs import run_data_export
    from .jobs import job_run, time_budget

    budget = time_budget()
    run = job_run()
    set_correlation_id(run.correlation_id)
    try:
        request = run_request(message.get_body(), ["dataExport"])
        run_data_export(export_job(), run, request.day.isoformat(), budget)
    except InvalidRunRequest as refused:
        get_logger().error("job run refused", extra={"field": refused.field, "error": str(refused)})
        raise
    finally:
        set_correlation_id(None)
        flush_metrics()


def register_ledger_jobs(app: func.FunctionApp) -> None:
    """Register the ledger's timer and queue functions in the scheduled jobs' app."""
    app.function_name("reconciliation")(
        app.timer_trigger(schedule="%SCHEDULE_RECONCILIATION%", arg_name="timer", run_on_startup=False)(
            reconcile
        )
    )
    app.function_name("dataExport")(
        app.timer_trigger(schedule="%SCHEDULE_DATA_EXPORT%", arg_name="timer", run_on_startup=False)(
            export_ledger
        )
    )
    app.function_name("jobRuns")(
        app.queue_trigger(arg_name="message", queue_name="jobs-jobruns", connection=STORAGE_CONNECTION)(
            run_job_for_a_day
        )
    )
