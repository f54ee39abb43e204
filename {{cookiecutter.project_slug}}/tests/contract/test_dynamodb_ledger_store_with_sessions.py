"""The DynamoDB ledger store checking a bet's session: still one read and one write.

The behaviour every store shares is tests/contract/test_ledger_store_contract_with_sessions.py.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from tests.contract.test_ledger_store_contract import PLAYER, START, cash

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet


@pytest.mark.integration
def test_a_bet_checked_against_its_session_is_still_one_read_and_one_write(
    aws_tables: dict[str, str], dynamodb_client: Any
) -> None:
    item = {"pk": "SESSION#s-1", "sk": "SESSION", "player_id": PLAYER, "status": "active"}
    dynamodb_client.put_item(
        TableName=aws_tables["SessionsTable"], Item={name: {"S": value} for name, value in item.items()}
    )
    # A client of its own: the counting hook must not reach the process's shared client.
    ledger = DynamoLedgerStore(
        aws_tables["WalletTable"], boto3.client("dynamodb"), sessions_table=aws_tables["SessionsTable"]
    )
    wallet = Wallet(
        ledger,
        FixedClock(START),
        "{{ cookiecutter.package_name }}.wallet",
        bet_needs_session=True,
    )
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="c")
    calls: list[str] = []
    checked: list[str] = []
    ledger.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    ledger.client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: checked.extend(
            item["ConditionCheck"]["TableName"]
            for item in params["TransactItems"]
            if "ConditionCheck" in item
        ),
    )

    receipt = wallet.place_bet(PLAYER, "bet-1", Money.of(100, "EUR"), correlation_id="c", session_id="s-1")

    # The session is a ConditionCheck of the bet's own transaction, not a request of its own.
    assert calls == ["BatchGetItem", "TransactWriteItems"]
    assert checked == [aws_tables["SessionsTable"]]
    assert receipt.balance is not None
    assert receipt.balance.cash == 900 == cash(ledger)
