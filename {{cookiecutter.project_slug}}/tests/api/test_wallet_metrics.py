"""The wallet's metrics: play counted per kind, GGR kept per currency (embedded metric format)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from tests.api.http_api import ApiClient

from {{ cookiecutter.package_name }} import observability


@pytest.fixture
def emitted_metrics(capsys: pytest.CaptureFixture[str]) -> Callable[[], list[dict[str, Any]]]:
    """Reads the embedded-metric-format lines written since the test started."""
    observability.flush_metrics()
    capsys.readouterr()

    def read() -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
        return [line for line in lines if "_aws" in line]

    return read


def value(metrics: dict[str, Any], name: str) -> float:
    """A metric's value in an EMF line (Powertools writes a list of the values added)."""
    values = metrics[name]
    return float(sum(values)) if isinstance(values, list) else float(values)


def test_play_is_counted_and_ggr_is_kept_per_currency(
    api: ApiClient, emitted_metrics: Callable[[], list[dict[str, Any]]]
) -> None:
    api.post("/wallet/deposits", {"transaction_id": "dep-1", "amount": 10_000, "currency": "EUR"})
    api.post("/wallet/bets", {"transaction_id": "bet-1", "round_id": "r-1", "amount": 300, "currency": "EUR"})
    api.post(
        "/wallet/bets", {"transaction_id": "bet-1", "round_id": "r-1", "amount": 300, "currency": "EUR"}
    )  # a replay
    win = {
        "transaction_id": "win-1",
        "bet_transaction_id": "bet-1",
        "round_id": "r-1",
        "amount": 900,
        "currency": "EUR",
    }
    api.post("/wallet/wins", win)
    api.post(
        "/wallet/bets", {"transaction_id": "bet-2", "round_id": "r-2", "amount": 10**9, "currency": "EUR"}
    )  # refused

    lines = emitted_metrics()
    names = ("Deposits", "Bets", "Wins", "BetsRefused")
    counts = {name: sum(value(line, name) for line in lines if name in line) for name in names}
    assert counts == {"Deposits": 1, "Bets": 1, "Wins": 1, "BetsRefused": 1}
    ggr = [(line["currency"], value(line, "GGR")) for line in lines if "GGR" in line]
    assert ggr == [("EUR", 300), ("EUR", -900)]
