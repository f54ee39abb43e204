"""Many game servers hammering one player's wallet at once: the traffic, and what the money rules promise.

Each cloud's store runs it (tests/integration/test_wallet_concurrency.py on DynamoDB through moto,
tests/azure/test_table_wallet_concurrency.py on Table Storage through Azurite). Eight clients each send
200 requests drawn from one small pool of bets, wins, rollbacks and deposits, so they collide on the same
transaction ids all the time: most requests are replays of another client's request, or race it. What
the money rules promise must still hold: the balance never goes below zero, every transaction id takes
effect once, and the balance is the ledger's sum and the sum of what the replies say was accepted.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from {{ cookiecutter.package_name }}.domain.errors import (
    BetAlreadyRolledBack,
    InsufficientFunds,
    NotFound,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import EntryKind, Wallet, WalletReceipt
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore

PLAYER = "player-1"
CURRENCY = "EUR"
# WALLET_CONCURRENCY (clients x requests, 8x200 by default) sizes the run.
SIZE = os.environ.get("WALLET_CONCURRENCY", "8x200")
CLIENTS, REQUESTS_PER_CLIENT = (int(part) for part in SIZE.split("x"))
# Few rounds for many requests: nearly every id is sent by several clients, often at the same moment.
ROUNDS = 120
DEPOSITS = 20
DEPOSIT = 500
OPENING_DEPOSIT = 1_000
# Refusals the money rules make on purpose under this traffic; anything else fails the test.
EXPECTED_REFUSALS = (
    InsufficientFunds,  # a bet the balance cannot cover
    NotFound,  # a win whose bet has not arrived (yet)
    BetAlreadyRolledBack,  # a win or a late bet of a rolled-back round
)


@dataclass(frozen=True)
class Request:
    """One request a game server sends; the same id always carries the same payload."""

    kind: EntryKind
    transaction_id: str
    amount: int = 0  # the stake, win or deposit; a rollback names its bet instead
    bet_transaction_id: str | None = None

    def send(self, wallet: Wallet, correlation_id: str) -> WalletReceipt:
        money = Money(self.amount, CURRENCY) if self.amount else None
        if self.kind is EntryKind.BET:
            assert money is not None
            return wallet.place_bet(PLAYER, self.transaction_id, money, correlation_id=correlation_id)
        if self.kind is EntryKind.WIN:
            assert money is not None
            assert self.bet_transaction_id is not None
            return wallet.settle_win(
                PLAYER, self.transaction_id, self.bet_transaction_id, money, correlation_id=correlation_id
            )
        if self.kind is EntryKind.ROLLBACK:
            assert self.bet_transaction_id is not None
            return wallet.rollback_bet(
                PLAYER, self.transaction_id, self.bet_transaction_id, correlation_id=correlation_id
            )
        assert money is not None
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
        # A retry after a lost reply: the very same request, not a fresh pick from the pool.
        replay = bool(sent) and chooser.random() < 0.2
        request = chooser.choice(sent) if replay else chooser.choice(pool)
        sent.append(request)
        try:
            receipt = request.send(wallet, correlation_id=f"client-{client}-{number}")
        except EXPECTED_REFUSALS as refusal:
            balance = wallet.balance(PLAYER)  # a refusal carries no balance: look it up
            with replies.lock:
                # By the rule that refused (a store's FundsShort is an InsufficientFunds).
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
    """What an accepted transaction did to the cash balance, from its reply alone."""
    return -receipt.amount if receipt.kind is EntryKind.BET else receipt.amount


@dataclass(frozen=True)
class Settled:
    """What the clients were told, checked against the money rules: the transactions that took effect."""

    replies: Replies
    accepted: list[WalletReceipt]
    times_accepted: Counter[str]
    seconds: float


def run_clients(wallet_for: Callable[[int], Wallet], ledger: LedgerStore) -> Settled:
    """The opening deposit, then every client at once (client n through `wallet_for(n)`); then every money
    rule checked on the replies and on the ledger as `ledger` reads it after the run."""
    first = wallet_for(0)
    first.deposit(PLAYER, "dep-opening", Money(OPENING_DEPOSIT, CURRENCY), correlation_id="opening")
    pool = request_pool()
    replies = Replies()
    start = threading.Barrier(CLIENTS)
    clients = [
        threading.Thread(target=play, args=(number, wallet_for(number), pool, replies, start))
        for number in range(CLIENTS)
    ]
    began = time.monotonic()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    seconds = time.monotonic() - began

    assert replies.unexpected == []
    assert replies.negative_balances == [], "a reply showed a balance below zero"
    assert len(replies.receipts) + sum(replies.refusals.values()) == CLIENTS * REQUESTS_PER_CLIENT
    accepted = [receipt for _, receipt in replies.receipts if not receipt.replayed]
    times_accepted = Counter(receipt.transaction_id for receipt in accepted)
    assert max(times_accepted.values()) == 1, "a transaction id took effect twice"
    # Every replay answers with the transaction as first accepted.
    original = {receipt.transaction_id: receipt for receipt in accepted}
    for request, receipt in replies.receipts:
        first_accepted = original.get(request.transaction_id)
        assert first_accepted is not None, f"{request.transaction_id} was replayed but never accepted"
        assert (receipt.kind, receipt.amount) == (first_accepted.kind, first_accepted.amount)
    # A rollback gives back its bet's stake, or nothing when it tombstoned a bet not yet arrived.
    stakes = {request.transaction_id: request.amount for request in pool if request.kind is EntryKind.BET}
    tombstoned = set()
    for request, receipt in replies.receipts:
        if request.kind is EntryKind.ROLLBACK and not receipt.replayed:
            assert request.bet_transaction_id is not None
            assert receipt.amount in (0, stakes[request.bet_transaction_id])
            if receipt.amount == 0:
                tombstoned.add(request.bet_transaction_id)

    expected_cash = OPENING_DEPOSIT + sum(cash_effect(receipt) for receipt in accepted)
    balance = ledger.balance(PLAYER)
    reconciliation = first.reconcile(PLAYER)
    written = Counter(entry.transaction_id for entry in ledger.entries(PLAYER))
    assert balance is not None
    assert balance.cash == expected_cash >= 0
    assert reconciliation.balanced
    assert reconciliation.ledger_cash == expected_cash
    assert max(written.values()) == 1
    assert set(written) == {"dep-opening", *times_accepted, *tombstoned}
    # The traffic really was conflicting: every kind went through, replays and refusals happened.
    assert {receipt.kind for receipt in accepted} >= {EntryKind.BET, EntryKind.WIN, EntryKind.ROLLBACK}
    assert sum(receipt.replayed for _, receipt in replies.receipts) > len(accepted)
    assert replies.refusals["InsufficientFunds"] > 0
    return Settled(replies, accepted, times_accepted, seconds)
