"""The ledger's scheduled jobs' runs on every cloud: reconciliation and the ledger export.

Each cloud's entry point (AWS: handlers/reconciliation.py and handlers/data_export.py; Azure:
azure_apps/jobs.py) builds the job on its stores, starts the run and gives it its time budget; what a
run does with them is here. The sessions' jobs: jobs.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.errors import ValidationFailed
from ..domain.ledger_jobs import day_to_export
from ..observability import add_metric, get_logger

if TYPE_CHECKING:
    from ..domain.jobs import JobRun
    from ..domain.ledger_jobs import LedgerExportJob, ReconciliationJob
    from ..ports.scheduled_jobs import TimeBudget

# How long a suspect mismatch waits before its second look: a player's transaction in flight settles well
# within (and the DynamoDB ledger's index catches up).
RECHECK_PAUSE_SECONDS = 2.0


class InvalidExportRequest(ValueError):
    """The run's input names no day that can be exported."""


def run_reconciliation(job: ReconciliationJob, run: JobRun, budget: TimeBudget) -> dict[str, Any]:
    """Reconcile every player; add the metrics and log the summary, which is returned."""
    summary = job.run(run, budget)
    add_metric("PlayersReconciled", summary.players_checked)
    add_metric("ReconciliationMismatches", len(summary.mismatches))
    fields = summary.as_log()
    if summary.mismatches:
        get_logger().error("reconciliation found ledger sums that differ from balances", extra=fields)
    elif not summary.complete:
        get_logger().warning(
            "reconciliation stopped before the timeout; the next run starts over", extra=fields
        )
    else:
        get_logger().info("reconciliation run", extra=fields)
    return fields


def run_data_export(
    job: LedgerExportJob, run: JobRun, requested: object, budget: TimeBudget
) -> dict[str, Any]:
    """Export the day `requested` names (YYYY-MM-DD), or the day before the run's; add the metrics and
    log the summary, which is returned. InvalidExportRequest, naming the field, for a day that cannot be
    exported (nothing is written)."""
    try:
        day = day_to_export(requested, run.scheduled_at)
    except ValidationFailed as refused:
        get_logger().error("ledger export refused its input", extra={"field": refused.field})
        raise InvalidExportRequest(f"{refused.field}: {refused.message}") from None
    summary = job.run(day, budget)
    add_metric("LedgerEntriesExported", summary.entries)
    add_metric("LedgerExportBytes", summary.size_bytes, unit="Bytes")
    fields = summary.as_log()
    get_logger().info("ledger export written", extra=fields)
    return fields
