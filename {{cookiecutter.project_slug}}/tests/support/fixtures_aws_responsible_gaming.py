"""Player protection's real store on AWS for the shared contract suite: the wallet table on the moto server.

tests/contract/test_player_protection_contract.py runs every test against the in-memory ledger store and
against `real_protection_store` (the ledger store that keeps the players' protection beside their money);
each cloud with such a store supplies it.
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore


@pytest.fixture
def real_protection_store(aws_tables: dict[str, str]) -> DynamoLedgerStore:
    """The DynamoDB ledger store, protection included, on a fresh wallet table."""
    return DynamoLedgerStore(aws_tables["WalletTable"])
