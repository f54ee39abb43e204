"""The ggrTotals function: a pushed bet, win or rollback added to its day's GGR totals, once per event id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..gcp_push import answer, worker_step
from ..worker_events import BusEvent
from ..workers.ggr_totals import count_play

if TYPE_CHECKING:
    from flask import Request

    from ..domain.reporting import GgrCounter

_counter: GgrCounter | None = None


def ggr_totals(request: Request) -> tuple[str, int]:
    """The ggrTotals function (functions-framework, signature type http): one Pub/Sub push."""
    return answer(request.get_json(silent=True), worker_step("ggr totals record", _apply))


def _apply(event: BusEvent) -> str:
    return count_play(event, _ggr_counter())


def _ggr_counter() -> GgrCounter:
    """The counter on GCP, built on the first push and reused while the instance lives."""
    global _counter  # one client per instance
    if _counter is None:
        from ..adapters.firestore_reporting import FirestoreGgrTotalsStore
        from ..adapters.gcp_clients import firestore_client
        from ..domain.reporting import GgrCounter

        _counter = GgrCounter(FirestoreGgrTotalsStore(firestore_client()))
    return _counter
