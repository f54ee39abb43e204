"""The reporting module's ports: daily play totals and where reports are written."""

from __future__ import annotations

from typing import Protocol

from ..domain.reporting import DailyGgrReport, DailyTotals, GgrDay, Play


class GgrTotalsStore(Protocol):
    """Daily play totals per currency, each wallet event counted once."""

    def add(self, play: Play) -> bool:
        """Add `play`'s totals to its day and currency once per event id; False if already added.

        The marker of the event id and the addition are one atomic write: a redelivered event, even
        one racing its first delivery, is counted once.
        """
        ...

    def day_totals(self, day: GgrDay) -> list[DailyTotals]:
        """Every currency's totals of `day`, ordered by currency (empty for a day without play)."""
        ...


class ReportWriter(Protocol):
    """Stores reports where finance and the regulator's tools read them."""

    def write(self, report: DailyGgrReport) -> tuple[str, ...]:
        """Store every file of `report` under its key and return where they are.

        Writing the same report again leaves the same objects (a file whose bytes are unchanged is
        not rewritten); a changed report replaces them.
        """
        ...
