"""The DynamoDB ledger store's own requests: one TransactWriteItems per money operation, conflicts retried.

The behaviour every store shares is tests/contract/test_ledger_store_contract.py; this file is AWS's.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from tests.contract.test_ledger_store_contract import (
    PLAYER,
    START,
    bet,
    cash,
    deposit,
    grant,
    ledger_sum,
    rollback_of,
    unknown_bet_rollback,
    withdrawal,
)
from tests.support.region import REGION

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Funds, Wallet


@pytest.mark.integration
@pytest.mark.parametrize(
    "operation",
    ["deposit", "bonus grant", "bet", "bonus bet", "withdrawal", "rollback", "unknown rollback"],
)
def test_each_money_operation_is_one_dynamodb_write(aws_tables: dict[str, str], operation: str) -> None:
    ledger = DynamoLedgerStore(aws_tables["WalletTable"])
    ledger.credit(deposit("dep-0", 100))
    ledger.credit(grant("grant-0", 100))
    placed = bet("bet-1", 40, seconds=1)
    ledger.debit(placed)
    calls: list[str] = []
    ledger.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

    if operation == "deposit":
        ledger.credit(deposit("dep-1", 100))
    elif operation == "bonus grant":
        ledger.credit(grant("grant-1", 100))
    elif operation == "bet":
        ledger.debit(bet("bet-2", 10))
    elif operation == "bonus bet":
        ledger.debit(bet("bet-2", 10, funds=Funds.BONUS))
    elif operation == "withdrawal":
        ledger.debit(withdrawal("wd-1", 10))
    elif operation == "rollback":
        ledger.reverse(rollback_of(placed, "rb-1"), placed)
    else:
        ledger.tombstone(*unknown_bet_rollback("rb-2", "bet-late"))

    assert calls == ["TransactWriteItems"]


@pytest.mark.integration
def test_a_withdrawal_through_the_wallet_is_exactly_one_transact_write_items(
    aws_tables: dict[str, str],
) -> None:
    # A client of its own: the hooks below must not reach the process's shared client.
    ledger = DynamoLedgerStore(aws_tables["WalletTable"], boto3.client("dynamodb"))
    clock, publisher = FixedClock(START), InMemoryEventPublisher()
    ledger.credit(deposit("dep-0", 1_000))
    wallet = Wallet(ledger, clock, "{{ cookiecutter.package_name }}.wallet")
    calls: list[str] = []
    items: list[dict[str, Any]] = []
    ledger.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    ledger.client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: items.extend(params["TransactItems"]),
    )

    receipt = wallet.withdraw(PLAYER, "wd-1", Money.of(400, "EUR"), correlation_id="payout-1")
    first_call, first_items = list(calls), list(items)
    replay = wallet.withdraw(PLAYER, "wd-1", Money.of(400, "EUR"), correlation_id="payout-1")
    replay_calls = calls[len(first_call) :]

    # One read (balance and the id's own entry), then the write; the answer's balance is not read again.
    assert first_call == ["BatchGetItem", "TransactWriteItems"]
    assert [next(iter(item)) for item in first_items] == ["Put", "Update"]
    assert receipt.balance == ledger.balance(PLAYER)
    # The replay is told by the read: it answers as the original, writes nothing and moves nothing.
    assert replay.replayed
    assert replay_calls == ["BatchGetItem"]
    assert cash(ledger) == 600 == ledger_sum(ledger)
    # Its event is in that one write (the outbox), not published on the player's path.
    outbox = json.loads(items[0]["Put"]["Item"]["outbox"]["S"])
    assert [event["name"] for event in outbox] == ["FundsWithdrawn"]
    assert publisher.events == []


def test_transaction_conflicts_are_retried_then_succeed() -> None:
    client = boto3.client("dynamodb", region_name=REGION)
    conflict = {"CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}]}
    with Stubber(client) as stub:
        stub.add_client_error(
            "transact_write_items", service_error_code="TransactionCanceledException", modeled_fields=conflict
        )
        stub.add_response("transact_write_items", {})
        DynamoLedgerStore("wallet", client=client).debit(bet("bet-1", 10))
        stub.assert_no_pending_responses()
