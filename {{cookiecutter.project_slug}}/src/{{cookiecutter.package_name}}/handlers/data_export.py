"""Exports the previous UTC day's ledger entries to the export bucket, daily at 00:30 UTC.

The object is exports/ledger/date=YYYY-MM-DD/ledger.jsonl (one JSON object per line, in scan
order); a rerun of the day replaces it. Another day is exported by invoking the function with
`{"date": "YYYY-MM-DD"}` (a day that is over); a malformed date fails the run and writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.ledger_jobs import LedgerExportJob
from ..observability import bind_invocation, flush_metrics, set_correlation_id
from ..workers.ledger_jobs import InvalidExportRequest, export_ledger
from .scheduled import LambdaTimeBudget, scheduled_run

if TYPE_CHECKING:
    from ..ports import Clock

_job: LedgerExportJob | None = None

__all__ = ["InvalidExportRequest", "handler", "run"]


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point (EventBridge schedule, or an invocation with {"date": "YYYY-MM-DD"})."""
    from ..settings import SystemClock

    bind_invocation(context)
    try:
        return run(event, context, _export_job(), SystemClock())
    finally:
        flush_metrics()
        set_correlation_id(None)


def run(event: dict[str, Any], context: object, job: LedgerExportJob, clock: Clock) -> dict[str, Any]:
    """Export the day the event asks for (or yesterday); add the metrics and log the summary."""
    job_run = scheduled_run(event, context, clock)
    set_correlation_id(job_run.correlation_id)
    requested = event.get("date") if isinstance(event, dict) else None
    return export_ledger(job, requested, job_run, LambdaTimeBudget(context))


def _export_job() -> LedgerExportJob:
    """The job on AWS, built on the first invocation and reused while the container lives."""
    global _job  # one set of clients per container
    if _job is None:
        from ..adapters.dynamodb_ledger_jobs import DynamoWalletScanner
        from ..adapters.s3_exports import S3ExportSink
        from ..settings import Settings
        from ..settings_ledger_jobs import LedgerExportSettings

        settings = Settings.from_env()
        export = LedgerExportSettings.from_env()
        _job = LedgerExportJob(
            DynamoWalletScanner(settings.wallet_table_name), S3ExportSink(export.export_bucket_name)
        )
    return _job
