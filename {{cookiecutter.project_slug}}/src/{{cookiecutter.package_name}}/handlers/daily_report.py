"""Writes yesterday's GGR report to the analytics bucket, on a schedule (manifest.yaml, dailyReport).

The report is JSON and CSV under reports/ggr/date=<YYYY-MM-DD>/ and is announced as
DailyReportWritten. Writing a day again gives the same objects, so a failed run is simply run again.
To re-run a day (after a late event was redriven, say), invoke the function with {"date": "YYYY-MM-DD"}:
a date that is not a finished UTC day is refused and nothing is written.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..domain.reporting import DailyGgrReporter
from ..observability import bind_invocation, correlation_id_or, flush_metrics, set_correlation_id
from ..workers.reporting import YESTERDAY, write_daily_report

_reporter: DailyGgrReporter | None = None


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point (EventBridge schedule, or a manual invocation with a date)."""
    bind_invocation(context)
    try:
        return run(event, _daily_reporter())
    finally:
        flush_metrics()


def run(event: dict[str, Any], reporter: DailyGgrReporter) -> dict[str, Any]:
    """Write the report the event asks for (yesterday's unless it names a date); return a summary."""
    event = event if isinstance(event, dict) else {}
    # The schedule's event id joins this run's log lines and its DailyReportWritten event.
    correlation_id = correlation_id_or(event.get("id"), f"daily-report-{uuid.uuid4().hex}")
    set_correlation_id(correlation_id)
    return write_daily_report(reporter, event.get("date", YESTERDAY), correlation_id)


def _daily_reporter() -> DailyGgrReporter:
    """The reporter on AWS, built on the first invocation and reused while the container lives."""
    global _reporter  # one set of clients per container
    if _reporter is None:
        from ..adapters.dynamodb_reporting import DynamoGgrTotalsStore
        from ..adapters.eventbridge import EventBridgePublisher
        from ..adapters.s3_reporting import S3ReportWriter
        from ..settings import Settings, SystemClock
        from ..settings_reporting import ReportingSettings

        settings = Settings.from_env()
        reporting = ReportingSettings.from_env()
        _reporter = DailyGgrReporter(
            DynamoGgrTotalsStore(reporting.reporting_table_name),
            S3ReportWriter(reporting.analytics_bucket_name),
            EventBridgePublisher(settings.event_bus_name),
            SystemClock(),
            f"{settings.event_source}.reporting",
        )
    return _reporter
