"""Many game servers hammering one player's wallet at once, through the Wallet on Table Storage (Azurite).

The same traffic as the DynamoDB run (tests/integration/test_wallet_concurrency.py): eight clients, each
with its own table client as separate function instances would have, send 200 requests drawn from one
small pool of bets, wins, rollbacks and deposits, so most requests replay or race another client's. Every
write of the player's wallet holds the balance's ETag, so racing writers lose with 412 and try again
(at the version the refusal found, then from a fresh read). The money rules must still hold: the balance
never goes below zero, every transaction id takes effect once, the balance is the ledger's sum and the
sum of what the replies say was accepted, and each accepted transaction has its one event in the outbox.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.support.fixtures_azure import RequestLog

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.domain.errors import (
    BetAlreadyRolledBack,
    InsufficientFunds,
    NotFound,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import EntryKind, Wallet, WalletReceipt

PLAYER = "player-1"
CURRENCY = "EUR"
SOURCE = "{{ cookiecutter.package_name }}.wallet"
# WALLET_CONCURRENCY (clients x requests, 8x200 by default) sizes the run.
SIZE = os.environ.get("WALLET_CONCURRENCY", "8x200")
CLIENTS, REQUESTS_PER_CLIENT = (int(part) for part in SIZE.split("x"))
ROUNDS = 120
DEPOSITS = 20
DEPOSIT = 500
OPENING_DEPOSIT = 1_000
# Refusals the money rules make on purpose under this traffic; anything else fails the test.
EXPECTED_REFUSALS = (InsufficientFunds, NotFound, BetAlreadyRolledBack)


@dataclass(frozen=True)
class Request:
    """One request a game server sends; the same id always carries the same payload."""

    kind: EntryKind
    transaction_id: str
    amount: int = 0
    bet_transaction_id: str | None = None

    def send(self, wallet: Wallet, correlation_id: str) -> WalletReceipt:
        money = Money(self.amount, CURRENCY)
        if self.kind is EntryKind.BET:
            return wallet.place_bet(PLAYER, self.transaction_id, money, correlation_id=correlation_id)
        if self.kind is EntryKind.WIN:
            assert self.bet_transaction_id is not None
            return wallet.settle_win(
                PLAYER, self.transaction_id, self.bet_transaction_id, money, correlation_id=correlation_id
            )
        if self.kind is EntryKind.ROLLBACK:
            assert self.bet_transaction_id is not None
            return wallet.rollback_bet(
                PLAYER, self.transaction_id, self.bet_transaction_id, correlation_id=correlation_id
            )
        return wallet.deposit(PLAYER, self.transaction_id, money, correlation_id=correlation_id)


def request_pool() -> list[Request]:
    """Every round's bet; a win for half of them, a rollback for a quarter; deposits to play on."""
    pool = []
    for round_ in range(ROUNDS):
        stake = 100 + round_ % 7 * 50
        bet_id = f"bet-{round_}"
        pool.append(Request(EntryKind.BET, bet_id, stake))
        if round_ % 2 == 0:
            pool.append(Request(EntryKind.WIN, f"win-{round_}", stake * (1 + round_ % 3), bet_id))
        if round_ % 4 == 1:
            pool.append(Request(EntryKind.ROLLBACK, f"rb-{round_}", bet_transaction_id=bet_id))
    pool.extend(Request(EntryKind.DEPOSIT, f"dep-{number}", DEPOSIT) for number in range(DEPOSITS))
    return pool


@dataclass
class Replies:
    """What the clients were told, gathered from every thread."""

    receipts: list[tuple[Request, WalletReceipt]] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    unexpected: list[tuple[Request, BaseException]] = field(default_factory=list)
    negative_balances: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def play(
    client: int, wallet: Wallet, pool: list[Request], replies: Replies, start: threading.Barrier
) -> None:
    """One game server: random requests from the pool, and now and then one of its own again."""
    chooser = random.Random(client)
    sent: list[Request] = []
    start.wait()
    for number in range(REQUESTS_PER_CLIENT):
        replay = bool(sent) and chooser.random() < 0.2
        request = chooser.choice(sent) if replay else chooser.choice(pool)
        sent.append(request)
        try:
            receipt = request.send(wallet, correlation_id=f"client-{client}-{number}")
        except EXPECTED_REFUSALS as refusal:
            balance = wallet.balance(PLAYER)
            with replies.lock:
                refused = next(kind for kind in EXPECTED_REFUSALS if isinstance(refusal, kind))
                replies.refusals[refused.__name__] += 1
                if balance is not None and balance.cash < 0:
                    replies.negative_balances.append(balance.cash)
        except Exception as error:
            with replies.lock:
                replies.unexpected.append((request, error))
        else:
            with replies.lock:
                replies.receipts.append((request, receipt))
                if receipt.balance is None or receipt.balance.cash < 0:
                    replies.negative_balances.append(-1 if receipt.balance is None else receipt.balance.cash)


def cash_effect(receipt: WalletReceipt) -> int:
    return -receipt.amount if receipt.kind is EntryKind.BET else receipt.amount


def test_concurrent_clients_keep_one_players_money_exact(table_factory: Callable[..., Any]) -> None:
    requests: RequestLog = []
    table = table_factory(requests)
    clock = FixedClock(datetime(2030, 1, 1, 12, 0, tzinfo=UTC))
    # One client each, as separate function instances have.
    wallets = [
        Wallet(TableLedgerStore(table_factory(requests, name=table.table_name)), clock, SOURCE)
        for _ in range(CLIENTS)
    ]
    wallets[0].deposit(PLAYER, "dep-opening", Money(OPENING_DEPOSIT, CURRENCY), correlation_id="opening")
    pool = request_pool()
    replies = Replies()
    start = threading.Barrier(CLIENTS)
    requests.clear()
    began = time.monotonic()

    clients = [
        threading.Thread(target=play, args=(number, wallets[number], pool, replies, start))
        for number in range(CLIENTS)
    ]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    elapsed = time.monotonic() - began

    assert replies.unexpected == []
    assert replies.negative_balances == [], "a reply showed a balance below zero"
    assert len(replies.receipts) + sum(replies.refusals.values()) == CLIENTS * REQUESTS_PER_CLIENT
    accepted = [receipt for _, receipt in replies.receipts if not receipt.replayed]
    times_accepted = Counter(receipt.transaction_id for receipt in accepted)
    assert max(times_accepted.values()) == 1, "a transaction id took effect twice"
    original = {receipt.transaction_id: receipt for receipt in accepted}
    for request, receipt in replies.receipts:
        first = original.get(request.transaction_id)
        assert first is not None, f"{request.transaction_id} was replayed but never accepted"
        assert (receipt.kind, receipt.amount) == (first.kind, first.amount)
    stakes = {request.transaction_id: request.amount for request in pool if request.kind is EntryKind.BET}
    tombstoned = set()
    for request, receipt in replies.receipts:
        if request.kind is EntryKind.ROLLBACK and not receipt.replayed:
            assert request.bet_transaction_id is not None
            assert receipt.amount in (0, stakes[request.bet_transaction_id])
            if receipt.amount == 0:
                tombstoned.add(request.bet_transaction_id)

    expected_cash = OPENING_DEPOSIT + sum(cash_effect(receipt) for receipt in accepted)
    ledger = TableLedgerStore(table)
    balance = ledger.balance(PLAYER)
    reconciliation = wallets[0].reconcile(PLAYER)
    entries = ledger.entries(PLAYER)
    written = Counter(entry.transaction_id for entry in entries)
    assert balance is not None
    assert balance.cash == expected_cash >= 0
    assert reconciliation.balanced
    assert reconciliation.ledger_cash == expected_cash
    assert max(written.values()) == 1
    assert set(written) == {"dep-opening", *times_accepted, *tombstoned}
    # One event per accepted transaction, in its ledger entry's outbox: a replay writes none.
    outbox = Counter(
        json.loads(entity["outbox"])[0]["detail"]["transaction_id"]
        for entity in table.list_entities()
        if "outbox" in entity
    )
    assert outbox == Counter({"dep-opening": 1, **times_accepted})
    # The traffic really was conflicting: every kind went through, replays, refusals and lost races happened.
    assert {receipt.kind for receipt in accepted} >= {EntryKind.BET, EntryKind.WIN, EntryKind.ROLLBACK}
    assert sum(receipt.replayed for _, receipt in replies.receipts) > len(accepted)
    assert replies.refusals["InsufficientFunds"] > 0
    transactions = sum(path == "$batch" for _, path in requests)
    # Each transaction that committed nothing lost a race (412) or found its id written meanwhile (409).
    refused_at_commit = transactions - len(accepted)
    assert refused_at_commit > 0, "no write ever lost a race: the clients did not overlap"
    print(
        f"\n{CLIENTS} clients x {REQUESTS_PER_CLIENT} requests on one player: {elapsed:.1f} s, "
        f"{len(accepted)} transactions committed, {transactions} entity group transactions sent "
        f"({refused_at_commit} refused at commit and tried again or answered as replays), "
        f"{len(requests)} requests in all, refusals {dict(replies.refusals)}"
    )
