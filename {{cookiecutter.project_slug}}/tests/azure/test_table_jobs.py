"""The scheduled jobs' Table Storage scans on Azurite: what is particular to Table Storage.

What the scans find and what the purge deletes is the shared contract suites'
(tests/contract/test_jobs_store_contract.py, test_ledger_jobs_store_contract.py); this file pins the
requests each operation costs (infra/README.md counts them), the purge of a session's activity markers
(Table Storage has no TTL), and keys Table Storage refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.support.fixtures_azure import RequestLog, operations_of

from {{ cookiecutter.package_name }}.adapters.table_jobs import TableSessionHousekeeping
from {{ cookiecutter.package_name }}.adapters.table_sessions import TableSessionStore
from {{ cookiecutter.package_name }}.domain.sessions import Session, SessionActivity, SessionStatus

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=365)


def ended(session_id: str, player_id: str = "player-1", at: datetime = CUTOFF - timedelta(days=1)) -> Session:
    return Session(
        session_id=session_id,
        player_id=player_id,
        status=SessionStatus.ENDED,
        started_at=at - timedelta(hours=1),
        last_seen_at=at,
        ended_at=at,
    )


def test_the_scans_and_the_purge_cost_the_requests_the_readme_counts(
    table_factory: Callable[..., Any],
) -> None:
    requests: RequestLog = []
    table = table_factory(requests)
    store, housekeeping = TableSessionStore(table), TableSessionHousekeeping(table)
    store.save(ended("old"))
    store.record_activity("old", "bet-1", SessionActivity(bets=1, staked=10))

    requests.clear()
    assert list(housekeeping.ended_session_ids(CUTOFF)) == ["old"]
    scan = operations_of(requests)
    requests.clear()
    assert list(housekeeping.idle_session_ids(NOW)) == []
    idle_scan = operations_of(requests)
    requests.clear()
    assert housekeeping.purge_session("old", CUTOFF) is True
    purge = operations_of(requests)

    assert (scan, idle_scan) == (["query"], ["query"])
    # The player, the session, its markers' query, the markers' transaction, the session, the pointer.
    assert purge == ["point read", "point read", "query", "transaction", "write", "write"]
    assert list(table.list_entities()) == []  # nothing of the session is left


def test_a_purge_deletes_more_markers_than_one_transaction_holds(table_factory: Callable[..., Any]) -> None:
    table = table_factory()
    store, housekeeping = TableSessionStore(table), TableSessionHousekeeping(table)
    store.save(ended("busy"))
    store.save(ended("other"))
    for number in range(101):  # one more than a transaction holds
        store.record_activity("busy", f"bet-{number}", SessionActivity(bets=1, staked=1))
    store.record_activity("other", "bet-0", SessionActivity(bets=1, staked=1))

    assert housekeeping.purge_session("busy", CUTOFF) is True

    left = sorted(entity["RowKey"] for entity in table.list_entities())
    assert left == ["EVENT:other:bet-0", "PLAYER", "SESSION:other"]


def test_ids_table_storage_refuses_in_keys_are_scanned_and_purged_as_given(
    table_factory: Callable[..., Any],
) -> None:
    table = table_factory()
    store, housekeeping = TableSessionStore(table), TableSessionHousekeeping(table)
    session = ended("session/1#?\\:x", "player/7#?\\:y")
    store.save(session)

    assert list(housekeeping.ended_session_ids(CUTOFF)) == [session.session_id]
    assert housekeeping.purge_session(session.session_id, CUTOFF) is True
    assert store.get(session.session_id) is None
