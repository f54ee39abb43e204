"""Reporting's pieces of the local tools: the daily report on the totals its worker counted today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tools.journey import CURRENCY, Journey, StepFailed, money
from tools.modules import ModuleTools, Step


def daily_report(journey: Journey) -> str:
    """The dailyReport job run as after midnight, on the totals the ggrTotals worker counted today."""
    from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
    from {{ cookiecutter.package_name }}.domain.reporting import DailyGgrReporter
    from {{ cookiecutter.package_name }}.settings_reporting import ReportingSettings
    from tools.local import provider_part

    run = journey.run
    settings = ReportingSettings.from_env(run.api_environment())
    now = datetime.now(UTC)
    cloud = provider_part("reporting")
    reporter = DailyGgrReporter(
        cloud.totals_store(run, settings),
        cloud.report_writer(run, settings),
        InMemoryEventPublisher(),
        FixedClock(now + timedelta(days=1)),
        "{{ cookiecutter.package_name }}.reporting",
    )
    written = reporter.write_report(now.date(), correlation_id=journey.player)
    lines = {line["currency"]: line for line in written.report.as_json()["currencies"]}
    ggr = lines.get(CURRENCY, {}).get("ggr")
    expected = journey.staked - journey.rolled_back - journey.won
    if ggr != expected:
        raise StepFailed(f"the report says GGR {ggr}, the journey played {money(expected)}")
    return f"GGR {money(expected)} today, written to {written.locations[0]}"


TOOLS = ModuleTools(
    demo_steps=lambda journey: [Step(700, "daily report", lambda: daily_report(journey))],
)
