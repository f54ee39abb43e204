"""The reporting module's function app: the daily GGR totals (ggrTotals), the daily report (dailyReport),
the event stream into the data lake (eventLake) and the report re-runs (reportRuns).

Event Grid delivers the wallet's BetPlaced, BetSettled and BetRolledBack to the queue
`reporting-ggrtotals` (infra/modules/reporting); ggrTotals adds each to its day's totals in the Reporting
table once per event id (workers/ggr_totals.py, adapters/table_reporting.py) and raises on a message it
cannot read, so the host retries it and then poisons it. dailyReport, on its schedule
(SCHEDULE_DAILY_REPORT), writes yesterday's GGR report to the reports container
(adapters/blob_reporting.py: reports/ggr/date=<YYYY-MM-DD>/, kept for the jurisdiction's retention by
the container's lifecycle rule) and publishes DailyReportWritten (workers/daily_report.py). A day
written again gives the same blobs, so a failed run is simply run again.

Event Grid delivers every event of the topic to the queue `reporting-eventlake`; eventLake lands each as
one JSON line in its own blob, reports/events/date=<YYYY-MM-DD>/<event id>.jsonl, created only if absent
(workers/event_lake.py, adapters/blob_event_lake.py): a redelivered event writes nothing. An operator
re-runs the report of another day by putting {"job": "dailyReport", "date": "YYYY-MM-DD"} on the queue
`reporting-reportruns`; reportRuns validates it (workers/job_runs.py) and runs dailyReport's step with
that day. A message either function cannot use raises before anything is written: the host retries it,
then moves it to the poison queue.
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
    from ..adapters.blob_event_lake import BlobEventLake
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


@cache
def event_lake() -> BlobEventLake:
    """The event lake: the events/ folder of the reports container (REPORTS_CONTAINER)."""
    from ..adapters.azure_environment import connection
    from ..adapters.blob_audit import container_client
    from ..adapters.blob_event_lake import BlobEventLake
    from ..settings import required_variable

    return BlobEventLake(
        container_client(
            required_variable(os.environ, "REPORTS_CONTAINER"), **connection(os.environ, "blobServiceUri")
        )
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


@app.function_name("eventLake")
@app.queue_trigger(arg_name="message", queue_name="reporting-eventlake", connection=STORAGE_CONNECTION)
def land_in_event_lake(message: func.QueueMessage) -> None:
    """Land one event of the topic in the data lake once (a message that is no event raises: poisoned)."""
    from ..adapters.event_grid import event_from_delivery
    from ..observability import get_logger
    from ..workers.event_lake import land_event

    try:
        event = event_from_delivery(message.get_body().decode("utf-8", errors="replace"))
        set_correlation_id(event.correlation_id)
        outcome = land_event(event, event_lake())
    except Exception:
        get_logger().exception("event lake failed")
        raise
    finally:
        set_correlation_id(None)
        flush_metrics()
    get_logger().info("event lake", extra={"outcome": outcome})


@app.function_name("reportRuns")
@app.queue_trigger(arg_name="message", queue_name="reporting-reportruns", connection=STORAGE_CONNECTION)
def report_runs(message: func.QueueMessage) -> None:
    """Run dailyReport for the day an operator's message names; a refused message raises (poisoned)."""
    from ..domain.errors import ValidationFailed
    from ..domain.reporting import report_date
    from ..observability import get_logger
    from ..workers.job_runs import InvalidRunRequest, run_request

    correlation_id = f"daily-report-{uuid.uuid4().hex}"
    set_correlation_id(correlation_id)
    try:
        request = run_request(message.get_body(), ["dailyReport"])
        write_daily_report(daily_reporter(), report_date(request.day.isoformat()), correlation_id)
    except (InvalidRunRequest, ValidationFailed) as refused:
        field = getattr(refused, "field", None)
        get_logger().error("report run refused", extra={"field": field, "error": str(refused)})
        raise
    finally:
        set_correlation_id(None)
        flush_metrics()
