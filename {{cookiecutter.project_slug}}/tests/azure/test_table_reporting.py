"""Reporting's Table Storage totals on Azurite: what is particular to Table Storage.

The totals' behaviour (once per event, per currency, per day, concurrent redeliveries) is the shared
contract suite's (tests/contract/test_reporting_store_contract.py); this file pins the requests each
operation costs (adapters/table_reporting.py counts them), the shards a day's totals are spread over,
and currencies and ids Table Storage refuses in keys.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.support.fixtures_azure import RequestLog, operations_of

from {{ cookiecutter.package_name }}.adapters.table_reporting import SHARDS, TableGgrTotalsStore
from {{ cookiecutter.package_name }}.domain.reporting import DailyTotals, Play, PlayTotals

DAY = date(2029, 12, 31)


def test_counting_and_reading_cost_the_requests_the_store_documents(
    table_factory: Callable[..., Any],
) -> None:
    requests: RequestLog = []
    totals = TableGgrTotalsStore(table_factory(requests))
    play = Play("bet-1", DAY, "EUR", PlayTotals(bets=1, stakes=100))
    costs: dict[str, list[str]] = {}

    def cost(name: str, operation: Callable[[], object]) -> None:
        requests.clear()
        operation()
        costs[name] = operations_of(requests)

    cost("add", lambda: totals.add(play))
    cost("redelivered", lambda: totals.add(play))
    cost("day_totals", lambda: totals.day_totals(DAY))

    assert costs == {
        "add": ["point read", "transaction"],
        "redelivered": ["point read", "transaction"],
        "day_totals": ["query"],
    }, costs


def test_a_day_s_totals_are_summed_over_its_shards(table_factory: Callable[..., Any]) -> None:
    table = table_factory()
    totals = TableGgrTotalsStore(table)
    for number in range(40):
        assert totals.add(Play(f"bet-{number}", DAY, "EUR", PlayTotals(bets=1, stakes=10))) is True

    shards = [entity for entity in table.list_entities() if entity["RowKey"].startswith("CURRENCY:")]

    assert 1 < len(shards) <= SHARDS
    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=40, stakes=400))]


def test_ids_table_storage_refuses_in_keys_are_counted_once(table_factory: Callable[..., Any]) -> None:
    totals = TableGgrTotalsStore(table_factory())
    play = Play("event/1#?\\:x", DAY, "EUR", PlayTotals(bets=1, stakes=5))

    assert totals.add(play) is True
    assert totals.add(play) is False
    assert totals.day_totals(DAY) == [DailyTotals(DAY, "EUR", PlayTotals(bets=1, stakes=5))]
