"""In-memory adapters of the reporting module: the same semantics as the AWS ones, for unit tests."""

from __future__ import annotations

import threading

from ..domain.reporting import DailyGgrReport, DailyTotals, GgrDay, Play, PlayTotals


class InMemoryGgrTotalsStore:
    """Totals by (day, currency) and the event ids already counted, behind one lock."""

    def __init__(self) -> None:
        self._totals: dict[tuple[GgrDay, str], PlayTotals] = {}
        self._counted: set[str] = set()
        self._lock = threading.Lock()

    def add(self, play: Play) -> bool:
        with self._lock:
            if play.event_id in self._counted:
                return False
            self._counted.add(play.event_id)
            key = (play.day, play.currency)
            self._totals[key] = self._totals.get(key, PlayTotals()).plus(play.totals)
            return True

    def day_totals(self, day: GgrDay) -> list[DailyTotals]:
        with self._lock:
            return [
                DailyTotals(day, currency, totals)
                for (totals_day, currency), totals in sorted(self._totals.items())
                if totals_day == day
            ]


class InMemoryReportWriter:
    """Report files by key; `writes` counts the objects actually (re)written."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.writes = 0
        self._lock = threading.Lock()

    def write(self, report: DailyGgrReport) -> tuple[str, ...]:
        with self._lock:
            for file in report.files():
                if self.objects.get(file.key) != file.body:
                    self.objects[file.key] = file.body
                    self.writes += 1
        return tuple(f"memory://{file.key}" for file in report.files())


class InMemoryEventLake:
    """The event lake's objects by key, each written once."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def create(self, key: str, line: bytes) -> bool:
        with self._lock:
            if key in self.objects:
                return False
            self.objects[key] = line
            return True
