"""The audit trail's Table Storage hash chain on Azurite: what is particular to Table Storage.

The chain's behaviour (order, links, no fork, an event once) is the shared contract suite's
(tests/contract/test_audit_log_contract.py); this file pins the requests an append costs (the module
docstring of adapters/table_audit.py counts them) and event ids Table Storage refuses in keys.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.support.fixtures_azure import RequestLog

from {{ cookiecutter.package_name }}.adapters.table_audit import (
    AUDIT_EVENTS_PER_TRANSACTION,
    TableAuditLog,
)
from {{ cookiecutter.package_name }}.domain.audit import AuditEvent, verify

RECORDED_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def event(event_id: str) -> AuditEvent:
    return AuditEvent(
        event_id=event_id,
        name="BetPlaced",
        source="{{ cookiecutter.package_name }}.wallet",
        occurred_at="2030-01-01T12:00:00+00:00",
        correlation_id="round-1",
        detail={"player_id": "player-1", "amount": 50},
    )


def kinds(requests: RequestLog) -> list[str]:
    """The requests as a point read, a query or an entity group transaction."""
    return [
        "transaction" if path == "$batch" else "query" if path.endswith("()") else "point read"
        for _, path in requests
    ]


def test_an_append_of_new_events_is_one_read_and_one_transaction(table_factory: Callable[..., Any]) -> None:
    requests: RequestLog = []
    log = TableAuditLog(table_factory(requests))

    log.append([event(f"event-{number}") for number in range(AUDIT_EVENTS_PER_TRANSACTION)], RECORDED_AT)
    first = kinds(requests)
    requests.clear()
    log.append([event("event-next")], RECORDED_AT)

    assert first == ["point read", "transaction"]
    assert kinds(requests) == ["point read", "transaction"]
    assert log.head().sequence == AUDIT_EVENTS_PER_TRANSACTION + 1


def test_a_redelivered_batch_looks_its_events_up_and_appends_only_the_new(
    table_factory: Callable[..., Any],
) -> None:
    requests: RequestLog = []
    log = TableAuditLog(table_factory(requests))
    log.append([event("event-1"), event("event-2")], RECORDED_AT)
    requests.clear()

    result = log.append([event("event-2"), event("event-3")], RECORDED_AT)

    assert result.already_recorded == {"event-2": 2}
    # The optimistic transaction fails on the recorded event; one lookup, the head, the transaction.
    assert kinds(requests) == ["point read", "transaction", "query", "point read", "transaction"]
    assert verify(log.records(), log.head()) is None


def test_event_ids_table_storage_refuses_in_keys_are_kept_as_given(table_factory: Callable[..., Any]) -> None:
    log = TableAuditLog(table_factory())
    awkward = "event/1#?\\:x"

    log.append([event(awkward)], RECORDED_AT)
    again = log.append([event(awkward)], RECORDED_AT)

    assert again.already_recorded == {awkward: 1}
    record = log.record(1)
    assert record is not None
    assert record.event_id == awkward


def test_the_clients_need_an_endpoint_or_a_connection_string() -> None:
    from {{ cookiecutter.package_name }}.adapters.azure_tables import table_client
    from {{ cookiecutter.package_name }}.adapters.blob_audit import container_client

    with pytest.raises(ValueError, match=r"AuditTrail.*endpoint"):
        table_client("AuditTrail")
    with pytest.raises(ValueError, match=r"audit-archive.*blob endpoint"):
        container_client("audit-archive")
