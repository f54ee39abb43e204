"""The wallet's real ledger store on Azure for the shared contract suites: Table Storage on Azurite.

tests/contract/test_ledger_store_contract.py (and its _with_sessions variant) run every test against the
in-memory store and against `real_ledger_store`; each cloud's fixtures_<provider>_wallet.py supplies it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore


@pytest.fixture
def real_ledger_store(table_factory: Callable[..., Any]) -> LedgerStore:
    """The Table Storage store on a fresh table."""
    from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore

    return TableLedgerStore(table_factory())


class TableSessions:
    """Sessions as a table holds them (PartitionKey = the session's id, RowKey SESSION: player_id, status).

    The sessions module's Table Storage store is not built yet; this reads the record the same way.
    """

    def __init__(self, table: Any) -> None:
        self.table = table

    def is_active_for(self, session_id: str, player_id: str) -> bool:
        found = list(
            self.table.query_entities(
                "PartitionKey eq @session and RowKey eq 'SESSION'", parameters={"session": session_id}
            )
        )
        return bool(found) and found[0]["player_id"] == player_id and found[0]["status"] == "active"


@pytest.fixture
def real_ledger_contention() -> tuple[int, int]:
    """Clients x operations on one player for the contract's concurrency test: Azurite takes 8 x 50.

    Azurite's entity group transactions are atomic and ETag conflicts are retried by the store: 8 x 50 on
    one partition is measured at about 14 s (tests/azure/test_table_wallet_concurrency.py goes further).
    """
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
            {"PartitionKey": session_id, "RowKey": "SESSION", "player_id": player_id, "status": status}
        )

    return TableLedgerStore(table_factory(), sessions=TableSessions(sessions)), remember
