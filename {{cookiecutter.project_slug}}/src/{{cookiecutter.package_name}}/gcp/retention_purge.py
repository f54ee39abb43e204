"""The retentionPurge function: deletes session records that ended longer ago than the retention.

Cloud Scheduler calls it daily at 00:45 UTC (infra/modules/scheduled_jobs). Only session records: ledger
entries are kept forever, the audit trail is write-once and the sessions' activity markers expire by
the database's TTL policy. The retention is the jurisdiction's (compliance.RETENTION_YEARS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..gcp_scheduled import DeadlineBudget, answer
from ..workers.jobs import run_retention_purge

if TYPE_CHECKING:
    from flask import Request

    from ..domain.jobs import RetentionPurgeJob
    from ..gcp_scheduled import ScheduledCall

_job: RetentionPurgeJob | None = None


def retention_purge(request: Request) -> tuple[dict[str, Any], int]:
    """The retentionPurge function (functions-framework, signature type http): one scheduled call."""
    from ..settings import SystemClock

    budget = DeadlineBudget.from_env()

    def step(call: ScheduledCall) -> dict[str, Any]:
        return run_retention_purge(_purge_job(), budget)

    return answer("retention purge", request.headers, SystemClock(), step)


def _purge_job() -> RetentionPurgeJob:
    """The job on GCP, built on the first call and reused while the instance lives."""
    global _job  # one set of clients per instance
    if _job is None:
        from ..adapters.firestore_jobs import FirestoreSessionHousekeeping
        from ..adapters.gcp_clients import firestore_client
        from ..compliance import RETENTION_YEARS
        from ..domain.jobs import RetentionPurgeJob
        from ..settings import SystemClock

        _job = RetentionPurgeJob(
            FirestoreSessionHousekeeping(firestore_client()), SystemClock(), RETENTION_YEARS
        )
    return _job
