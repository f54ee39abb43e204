"""The dataExport function: the previous UTC day's ledger entries to the exports bucket, daily at 00:30.

Cloud Scheduler calls it (infra/modules/scheduled_jobs). The object is
exports/ledger/date=YYYY-MM-DD/ledger.jsonl (one JSON object per line) in the exports bucket
(adapters/cloud_storage.py); a rerun of the day replaces it, the bucket's versioning keeping the one it
replaced. Another day is exported by calling the function with `{"date": "YYYY-MM-DD"}` (a day that is
over); a malformed date answers 400 naming the field, and writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.jobs import JobRun
from ..gcp_scheduled import DeadlineBudget, ScheduledCall, answer, job_input
from ..workers.ledger_jobs import InvalidExportRequest, run_data_export

if TYPE_CHECKING:
    from flask import Request

    from ..domain.ledger_jobs import LedgerExportJob

_job: LedgerExportJob | None = None


def data_export(request: Request) -> tuple[dict[str, Any], int]:
    """The dataExport function (functions-framework, signature type http): one scheduled call."""
    from ..settings import SystemClock

    budget = DeadlineBudget.from_env()
    requested = job_input(request.get_json(silent=True)).get("date")

    def step(call: ScheduledCall) -> dict[str, Any]:
        run = JobRun(call.correlation_id, call.scheduled_at)
        return run_data_export(_export_job(), run, requested, budget)

    return answer("ledger export", request.headers, SystemClock(), step, refusals=(InvalidExportRequest,))


def _export_job() -> LedgerExportJob:
    """The job on GCP, built on the first call and reused while the instance lives."""
    global _job  # one set of clients per instance
    if _job is None:
        from ..adapters.cloud_storage import CloudStorageBucket, CloudStorageExportSink
        from ..adapters.firestore_ledger_jobs import FirestoreWalletScanner
        from ..adapters.gcp_clients import firestore_client
        from ..domain.ledger_jobs import LedgerExportJob
        from ..settings_ledger_jobs import LedgerExportSettings

        bucket = CloudStorageBucket(LedgerExportSettings.from_env().export_bucket_name)
        _job = LedgerExportJob(FirestoreWalletScanner(firestore_client()), CloudStorageExportSink(bucket))
    return _job
