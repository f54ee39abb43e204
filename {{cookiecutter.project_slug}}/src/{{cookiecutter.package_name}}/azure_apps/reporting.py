"""The reporting module's function app: the daily GGR totals (ggrTotals) and the daily report (dailyReport).

Event Grid delivers the wallet's BetPlaced, BetSettled and BetRolledBack to the queue
`reporting-ggrtotals` (infra/modules/reporting); ggrTotals adds each to its day's totals in the Reporting
table once per event id (workers/ggr_totals.py, adapters/table_reporting.py) and raises on a message it
cannot read, so the host retries it and then poisons it. dailyReport, on its schedule
(SCHEDULE_DAILY_REPORT), writes yesterday's GGR report to the reports container
(adapters/blob_reporting.py: reports/ggr/date=<YYYY-MM-DD>/, kept for the jurisdiction's retention by
the container's lifecycle rule) and publishes DailyReportWritten (workers/daily_report.py). A day
written again gives the same blobs, so a failed run is simply run again.
"""

# azure-functions' trigger decorators are untyped; the functions they register are typed here.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import os
import uuid
from functools import cache
from typing import TYPE_CHECKING

import azure.functions as func

from ..adapters.azure_environment import STORAGE_CONNECTION
from ..observability import flush_metrics, set_correlation_id
from ..workers.daily_report import write_daily_report
from ..workers.ggr_totals import count_play
from .queues import handle

if TYPE_CHECKING:
    from ..adapters.table_reporting import TableGgrTotalsStore
    from ..domain.reporting import DailyGgrReporter, GgrCounter

app = func.FunctionApp()


@cache
def totals_store() -> TableGgrTotalsStore:
    """The daily totals in their table (REPORTING_TABLE_NAME), built on first use."""
    from ..adapters.azure_environment import table
    from ..adapters.table_reporting import TableGgrTotalsStore
    from ..settings import required_variable

    return TableGgrTotalsStore(table(os.environ, required_variable(os.environ, "REPORTING_TABLE_NAME")))


@cache
def ggr_counter() -> GgrCounter:
    """The counter on the Reporting table."""
    from ..domain.reporting import GgrCounter

    return GgrCounter(totals_store())


@cache
def daily_reporter() -> DailyGgrReporter:
    """The reporter: the totals, the reports container (REPORTS_CONTAINER), the topic."""
    from ..adapters.azure_environment import connection, core_settings, topic_publisher
    from ..adapters.blob_audit import container_client
    from ..adapters.blob_reporting import BlobReportWriter
    from ..domain.reporting import DailyGgrReporter
    from ..settings import SystemClock, required_variable

    settings = core_settings(os.environ)
    container = container_client(
        required_variable(os.environ, "REPORTS_CONTAINER"), **connection(os.environ, "blobServiceUri")
    )
    return DailyGgrReporter(
        totals_store(),
        BlobReportWriter(container),
        topic_publisher(os.environ),
        SystemClock(),
        f"{settings.event_source}.reporting",
    )


@app.function_name("ggrTotals")
@app.queue_trigger(arg_name="message", queue_name="reporting-ggrtotals", connection=STORAGE_CONNECTION)
def ggr_totals(message: func.QueueMessage) -> None:
    """Add one bet, win or rollback to its day's totals once (a malformed event raises: retried, poisoned)."""
    try:
        handle(message.get_body(), lambda event: count_play(event, ggr_counter()), "ggr totals")
    finally:
        flush_metrics()


@app.function_name("dailyReport")
@app.timer_trigger(schedule="%SCHEDULE_DAILY_REPORT%", arg_name="timer", run_on_startup=False)
def daily_report(timer: func.TimerRequest) -> None:
    """Write yesterday's GGR report and announce it (DailyReportWritten)."""
    correlation_id = f"daily-report-{uuid.uuid4().hex}"
    set_correlation_id(correlation_id)
    try:
        write_daily_report(daily_reporter(), None, correlation_id)
    finally:
        set_correlation_id(None)
        flush_metrics()
