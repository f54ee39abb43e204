"""The notifications' Table Storage store on Azurite: the requests each operation costs.

The store's behaviour (preferences, the later exclusion kept, claims once per notification, races) is the
shared contract suite's (tests/contract/test_notification_store_contract.py); this file pins the requests
the module docstring of adapters/table_notifications.py counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.support.fixtures_azure import RequestLog, operations_of

from {{ cookiecutter.package_name }}.adapters.table_notifications import TableNotificationStore
from {{ cookiecutter.package_name }}.domain.notifications import CLAIM_LEASE, Delivery

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def test_each_notification_operation_costs_the_requests_the_store_documents(
    table_factory: Callable[..., Any],
) -> None:
    requests: RequestLog = []
    store = TableNotificationStore(table_factory(requests))
    costs: dict[str, list[str]] = {}

    def cost(name: str, operation: Callable[[], object]) -> None:
        requests.clear()
        operation()
        costs[name] = operations_of(requests)

    cost("preferences", lambda: store.preferences("player/1"))
    cost("set_choices", lambda: store.set_choices("player/1", True, "ann@example.com", NOW))
    cost("record_exclusion", lambda: store.record_exclusion("player/1", NOW + timedelta(days=30)))
    cost("record_exclusion, earlier", lambda: store.record_exclusion("player/1", NOW + timedelta(days=1)))
    cost("claim", lambda: store.claim("event#1", NOW, NOW + CLAIM_LEASE))
    cost("claim, busy", lambda: store.claim("event#1", NOW, NOW + CLAIM_LEASE))
    cost("release", lambda: store.release("event#1"))
    cost("mark_done", lambda: store.mark_done("event#1", Delivery.SENT))
    cost("claim, done", lambda: store.claim("event#1", NOW, NOW + CLAIM_LEASE))
    cost("release, done", lambda: store.release("event#1"))

    assert costs == {
        "preferences": ["point read"],
        "set_choices": ["point read", "write"],
        "record_exclusion": ["point read", "write"],
        "record_exclusion, earlier": ["point read"],
        "claim": ["point read", "write"],
        "claim, busy": ["point read"],
        "release": ["point read", "write"],
        "mark_done": ["write"],
        "claim, done": ["point read"],
        "release, done": ["point read"],
    }
    stored = store.preferences("player/1")
    assert stored is not None
    assert (stored.email, stored.excluded_until) == ("ann@example.com", NOW + timedelta(days=30))
