"""The wallet's real ledger store on AWS for the shared contract suites: DynamoDB on the moto server.

tests/contract/test_ledger_store_contract.py (and its _with_sessions variant) run every test against the
in-memory store and against `real_ledger_store`; each cloud's fixtures_<provider>_wallet.py supplies it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore


@pytest.fixture
def real_ledger_store(aws_tables: dict[str, str]) -> LedgerStore:
    """The DynamoDB store on fresh tables."""
    # No client passed: the adapter builds its own, which must find moto through AWS_ENDPOINT_URL.
    return DynamoLedgerStore(aws_tables["WalletTable"])


@pytest.fixture
def real_ledger_store_with_sessions(
    aws_tables: dict[str, str], dynamodb_client: Any
) -> tuple[LedgerStore, Callable[[str, str, str], None]]:
    """The DynamoDB store checking bets' sessions in the sessions table, and how a test records one.

    A session as the sessions module keeps it: pk=SESSION#<id>, sk=SESSION, player_id, status.
    """

    def remember(session_id: str, player_id: str, status: str) -> None:
        item = {"pk": f"SESSION#{session_id}", "sk": "SESSION", "player_id": player_id, "status": status}
        dynamodb_client.put_item(
            TableName=aws_tables["SessionsTable"], Item={name: {"S": value} for name, value in item.items()}
        )

    return DynamoLedgerStore(aws_tables["WalletTable"], sessions_table=aws_tables["SessionsTable"]), remember
