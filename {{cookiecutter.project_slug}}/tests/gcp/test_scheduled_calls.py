"""What every scheduled job's call shares (gcp_scheduled.py): its run, from Cloud Scheduler's headers, and
its time budget, from the function's timeout.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.gcp.functions import scheduler_call

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.gcp_scheduled import DeadlineBudget, scheduled_run


def test_a_retried_call_runs_under_the_same_correlation_id_and_moment() -> None:
    clock = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))

    first, retried = scheduled_run(scheduler_call(), clock), scheduled_run(scheduler_call(), clock)
    next_run = scheduled_run(scheduler_call("2026-12-04T18:30:00Z"), clock)
    other_job = scheduled_run(scheduler_call(job="functions-other-job"), clock)

    assert first == retried
    assert first.scheduled_at == datetime(2026, 12, 4, 18, 15, tzinfo=UTC)
    assert len({first.correlation_id, next_run.correlation_id, other_job.correlation_id}) == 3


def test_a_call_by_hand_runs_at_the_clock_under_an_id_of_its_own() -> None:
    clock = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))

    first, second = (
        scheduled_run({}, clock),
        scheduled_run({"X-CloudScheduler-ScheduleTime": "yesterday"}, clock),
    )

    assert first.scheduled_at == second.scheduled_at == clock.now()
    assert first.correlation_id != second.correlation_id


def test_the_budget_is_spent_30_seconds_before_the_timeout() -> None:
    now = [100.0]
    budget = DeadlineBudget(300, monotonic=lambda: now[0])

    now[0] = 369.9
    assert not budget.exhausted()
    now[0] = 370.0
    assert budget.exhausted()


def test_a_timeout_that_is_no_number_of_seconds_names_the_variable() -> None:
    with pytest.raises(ValueError, match="JOB_TIMEOUT_SECONDS is '5m'; give the function's timeout"):
        DeadlineBudget.from_env({"JOB_TIMEOUT_SECONDS": "5m"})
