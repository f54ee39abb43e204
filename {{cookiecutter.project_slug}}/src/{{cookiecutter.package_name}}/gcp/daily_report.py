"""The dailyReport function: yesterday's GGR report written to the reports bucket, daily at 00:15 UTC.

Cloud Scheduler calls it (infra/modules/reporting). The report is JSON and CSV under
reports/ggr/date=<YYYY-MM-DD>/ in the reports bucket (adapters/cloud_storage_reporting.py) and is
announced as DailyReportWritten on the reporting topic. The day reported is the one before the day the
call was scheduled for (X-CloudScheduler-ScheduleTime, in UTC), not the one before the call arrived: a
retry of the 00:15 run that lands after the next midnight still writes the day it was meant for. Writing
a day again gives the same objects, so a failed run is simply run again. Another day is written by
calling the function with `{"date": "YYYY-MM-DD"}`; a date that is not one answers 400 naming the
field, and writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..domain.errors import ValidationFailed
from ..domain.reporting import report_date
from ..gcp_scheduled import answer, job_input
from ..workers.daily_report import write_daily_report

if TYPE_CHECKING:
    from flask import Request

    from ..domain.reporting import DailyGgrReporter, GgrDay
    from ..gcp_scheduled import ScheduledCall

_reporter: DailyGgrReporter | None = None


def daily_report(request: Request) -> tuple[dict[str, Any], int]:
    """The dailyReport function (functions-framework, signature type http): one scheduled call."""
    from ..settings import SystemClock

    body = job_input(request.get_json(silent=True))

    def step(call: ScheduledCall) -> dict[str, Any]:
        # A date given, even null, must be a finished day (report_date refuses it, naming `date`).
        day = report_date(body["date"]) if "date" in body else _day_before(call.scheduled_at)
        return write_daily_report(_daily_reporter(), day, call.correlation_id)

    return answer("daily ggr report", request.headers, SystemClock(), step, refusals=(ValidationFailed,))


def _day_before(scheduled_at: datetime) -> GgrDay:
    """The UTC day before the one a scheduled call was meant for."""
    return scheduled_at.astimezone(UTC).date() - timedelta(days=1)


def _daily_reporter() -> DailyGgrReporter:
    """The reporter on GCP, built on the first call and reused while the instance lives."""
    global _reporter  # one set of clients per instance
    if _reporter is None:
        from ..adapters.cloud_storage import CloudStorageBucket
        from ..adapters.cloud_storage_reporting import CloudStorageReportWriter
        from ..adapters.firestore_reporting import FirestoreGgrTotalsStore
        from ..adapters.gcp_clients import event_publisher, firestore_client, gcp_settings, settings_environ
        from ..domain.reporting import DailyGgrReporter
        from ..settings import SystemClock
        from ..settings_reporting import ReportingSettings

        # The bucket from ANALYTICS_BUCKET_NAME (infra/modules/reporting: the reports bucket).
        bucket = CloudStorageBucket(ReportingSettings.from_env(settings_environ()).analytics_bucket_name)
        _reporter = DailyGgrReporter(
            FirestoreGgrTotalsStore(firestore_client()),
            CloudStorageReportWriter(bucket),
            event_publisher(),
            SystemClock(),
            f"{gcp_settings().event_source}.reporting",
        )
    return _reporter
