"""The ledger's scheduled jobs as every cloud runs them: a run's metrics and its summary's log line.

The Lambda handlers (handlers/reconciliation.py, data_export.py) and the Cloud Run functions
(gcp/reconciliation.py, data_export.py) each make the run and the time budget their way, then call
these. The sessions' jobs: scheduled_jobs.py.
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


class InvalidExportRequest(ValueError):
    """The invocation's input names no day that can be exported."""


def reconcile(job: ReconciliationJob, run: JobRun, budget: TimeBudget) -> dict[str, Any]:
    """Reconcile every player; add the metrics and log the summary (returned as the log's fields)."""
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


def export_ledger(job: LedgerExportJob, requested: object, run: JobRun, budget: TimeBudget) -> dict[str, Any]:
    """Export the day `requested` names (YYYY-MM-DD; None: the day before the run's); add the metrics
    and log the summary. InvalidExportRequest, naming the field, if `requested` is no day that is over:
    nothing is written."""
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
