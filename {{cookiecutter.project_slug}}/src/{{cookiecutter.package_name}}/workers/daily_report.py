"""Writes a day's GGR report and logs where: the daily report's run on every cloud."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..observability import add_metric, get_logger

if TYPE_CHECKING:
    from ..domain.reporting import DailyGgrReporter, GgrDay


def write_daily_report(reporter: DailyGgrReporter, day: GgrDay | None, correlation_id: str) -> dict[str, Any]:
    """Write `day`'s report (yesterday's if None); add the metric, log the summary and return it."""
    written = reporter.write_report(day, correlation_id=correlation_id)
    add_metric("DailyReportsWritten")
    summary = {
        "report_date": written.report.day.isoformat(),
        "currencies": len(written.report.currencies),
        "locations": list(written.locations),
    }
    get_logger().info("daily ggr report written", extra=summary)
    return summary
