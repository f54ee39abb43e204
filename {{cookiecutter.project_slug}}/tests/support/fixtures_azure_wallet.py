"""The wallet's real ledger store on Azure for the shared contract suites: Table Storage on Azurite.

tests/contract/test_ledger_store_contract.py (and its _with_sessions variant) run every test against the
in-memory store and against `real_ledger_store`; each cloud's fixtures_<provider>_wallet.py supplies it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore


@pytest.fixture
def real_ledger_store(table_factory: Callable[..., Any]) -> LedgerStore:
    """The Table Storage store on a fresh table."""
    from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore

    return TableLedgerStore(table_factory())


class TableSessions:
    """Sessions as the sessions module's Table Storage store keeps them (adapters/table_sessions.py: the
    player's partition, RowKey SESSION:<session id>), read as its `is_active_for` reads them: one point
    read. Not that store itself: the wallet's suites run in projects without the sessions module too.
    """

    def __init__(self, table: Any) -> None:
        self.table = table

    def is_active_for(self, session_id: str, player_id: str) -> bool:
        found = list(
            self.table.query_entities(
                "PartitionKey eq @player and RowKey eq @session",
                parameters={"player": quote(player_id, safe=""), "session": session_key(session_id)},
            )
        )
        return bool(found) and found[0]["status"] == "active"


def session_key(session_id: str) -> str:
    return f"SESSION:{quote(session_id, safe='')}"


@pytest.fixture
def real_ledger_contention() -> tuple[int, int]:
    """Clients x operations on one player for the contract's concurrency test: Azurite's entity group
    transactions are atomic and its ETags hold, so it takes the full 8 x 50 the other stores take (the
    wallet's own 8 x 200 is tests/azure/test_table_wallet_concurrency.py)."""
    return (8, 50)


@pytest.fixture
def real_ledger_store_with_sessions(
    table_factory: Callable[..., Any],
) -> tuple[LedgerStore, Callable[[str, str, str], None]]:
    """The Table Storage store checking bets' sessions in a sessions table, and how a test records one.

    Table Storage cannot check another table inside a transaction: the store asks its sessions just
    before the bet's transaction.
    """
    from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore

    sessions = table_factory()

    def remember(session_id: str, player_id: str, status: str) -> None:
        sessions.upsert_entity(
            {
                "PartitionKey": quote(player_id, safe=""),
                "RowKey": session_key(session_id),
                "player_id": player_id,
                "status": status,
            }
        )

    return TableLedgerStore(table_factory(), sessions=TableSessions(sessions)), remember
