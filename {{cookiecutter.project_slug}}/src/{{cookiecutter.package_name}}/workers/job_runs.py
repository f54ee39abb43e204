"""A scheduled job run for another day, asked for by a queue message: the request, validated.

A timer takes no input, so an operator re-runs a day by putting `{"job": "<function>", "date":
"YYYY-MM-DD"}` on the app's runs queue (the reporting app's reportRuns, the jobs app's jobRuns); the
app's queue function runs the step its timer runs, with that day. A message that is no such request is
refused with InvalidRunRequest naming the field and the fix, before anything runs: the function raises,
so the host retries it and then moves it to the poison queue, where the operator finds it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

FIELDS = ("job", "date")


class InvalidRunRequest(ValueError):
    """A run request that names no known job or no usable date: the message says which and how to fix it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class RunRequest:
    """A job (its function's name) to run for a finished UTC day (the job refuses a day not finished)."""

    job: str
    day: date


def run_request(body: str | bytes, jobs: Collection[str]) -> RunRequest:
    """The request of a runs-queue message; InvalidRunRequest naming the field if it is not one."""
    example = json.dumps({"job": sorted(jobs)[0], "date": "2026-11-26"})
    try:
        request = json.loads(body)
    except ValueError:
        request = None
    if not isinstance(request, dict):
        raise InvalidRunRequest("message", f"send a JSON object like {example}")
    unknown = sorted(set(request) - set(FIELDS))
    if unknown:
        raise InvalidRunRequest(
            unknown[0], f"is not a field of a run request; send only job and date: {example}"
        )
    job = request.get("job")
    if job not in jobs:
        raise InvalidRunRequest("job", f"must be one of {', '.join(sorted(jobs))} (got {job!r})")
    raw = request.get("date")
    try:
        day = date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == len("2026-11-26") else None
    except ValueError:
        day = None
    if day is None or raw != day.isoformat():
        raise InvalidRunRequest(
            "date", f"must be a calendar date written YYYY-MM-DD, like 2026-11-26 (got {raw!r})"
        )
    return RunRequest(str(job), day)
