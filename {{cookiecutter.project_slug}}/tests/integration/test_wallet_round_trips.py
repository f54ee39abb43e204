"""Every money operation in two round trips on DynamoDB (moto): one read, one TransactWriteItems.

The requests are counted by botocore (one `before-send` per HTTP request, retries included), so what
is counted is what a player waits for on AWS. The read carries everything the operation needs (the
balance, the transaction id's own item, a win's or rollback's bet, the player's protection); the
answer's balance is the read balance moved by the write's amount, not read again. A replay is the
read alone. tests/contract/test_dynamodb_ledger_store_with_responsible_gaming.py runs the same count
with player protection on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from tests.contract.test_ledger_store_contract import START

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet, WalletReceipt

pytestmark = pytest.mark.integration

PLAYER = "player-1"
SOURCE = "{{ cookiecutter.package_name }}.wallet"
# At most one read and one write on a money operation's synchronous path (docs/benchmarks.md).
MOST_REQUESTS = 2
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})


class RequestCount:
    """The DynamoDB requests one client sends, by operation name, in order."""

    def __init__(self, ledger: DynamoLedgerStore) -> None:
        self.requests: list[str] = []
        ledger.client.meta.events.register("before-send.dynamodb", self._sent)

    def _sent(self, event_name: str, **_: Any) -> None:
        self.requests.append(event_name.rsplit(".", 1)[-1])

    def of(self, operation: Callable[[], WalletReceipt]) -> tuple[WalletReceipt, list[str]]:
        self.requests = []
        receipt = operation()
        return receipt, list(self.requests)


def money_operations(wallet: Wallet, tag: str) -> list[tuple[str, Callable[[], WalletReceipt]]]:
    """Each kind of money operation once, in an order where each one can succeed."""
    eur = "EUR"
    win = Money.of(350, eur)
    return [
        ("deposit", lambda: wallet.deposit(PLAYER, f"dep-{tag}", Money.of(5_000, eur), correlation_id=tag)),
        ("withdrawal", lambda: wallet.withdraw(PLAYER, f"wd-{tag}", Money.of(500, eur), correlation_id=tag)),
        ("grant", lambda: wallet.grant_bonus(PLAYER, f"bonus-{tag}", Money.of(300, eur), correlation_id=tag)),
        ("bet", lambda: wallet.place_bet(PLAYER, f"bet-{tag}", Money.of(200, eur), correlation_id=tag)),
        (
            "win",
            lambda: wallet.settle_win(PLAYER, f"win-{tag}", f"bet-{tag}", win, correlation_id=tag),
        ),
        (
            "second bet",
            lambda: wallet.place_bet(PLAYER, f"bet2-{tag}", Money.of(100, eur), correlation_id=tag),
        ),
        ("rollback", lambda: wallet.rollback_bet(PLAYER, f"rb-{tag}", f"bet2-{tag}", correlation_id=tag)),
        (
            "rollback of an unknown bet",
            lambda: wallet.rollback_bet(PLAYER, f"rb-none-{tag}", f"never-{tag}", correlation_id=tag),
        ),
    ]


def assert_two_round_trips(wallet: Wallet, ledger: DynamoLedgerStore) -> dict[str, list[str]]:
    """Run every money operation, then its replay: at most one read and exactly one write each.

    Returns each operation's requests, for the failure message and the figures.
    """
    count = RequestCount(ledger)
    seen: dict[str, list[str]] = {}
    for name, operation in money_operations(wallet, "t1"):
        receipt, requests = count.of(operation)
        seen[name] = requests
        # The answer's balance is exact: what the store holds right after this write.
        assert receipt.balance == ledger.balance(PLAYER), name
        replay, replay_requests = count.of(operation)
        seen[f"{name} (replay)"] = replay_requests
        assert replay.replayed, name
        assert replay.balance == ledger.balance(PLAYER), name
    too_many = {name: requests for name, requests in seen.items() if len(requests) > MOST_REQUESTS}
    assert too_many == {}, f"more than {MOST_REQUESTS} requests: {too_many}"
    for name, requests in seen.items():
        writes = [request for request in requests if request in DYNAMODB_WRITES]
        if name.endswith("(replay)"):
            assert writes == [], f"a replay writes nothing: {name} {requests}"
        else:
            assert writes == ["TransactWriteItems"], f"one write per operation: {name} {requests}"
    return seen


def counted_ledger(table_name: str) -> DynamoLedgerStore:
    """A store on a client of its own: the counting hook must not reach the process's shared client."""
    return DynamoLedgerStore(table_name, boto3.client("dynamodb"))


def test_every_money_operation_is_one_read_and_one_write(aws_tables: dict[str, str]) -> None:
    ledger = counted_ledger(aws_tables["WalletTable"])
    wallet = Wallet(ledger, FixedClock(START), SOURCE)

    assert_two_round_trips(wallet, ledger)
