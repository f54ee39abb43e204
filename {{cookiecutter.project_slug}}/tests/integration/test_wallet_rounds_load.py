"""Sixteen game servers on one player's rounds at once, through the Wallet on DynamoDB (moto).

Each client sends mixed requests from one shared pool: bets on multi-bet rounds, wins on open and
closed rounds (each round's final win closes it), rollbacks of bets whose round already paid,
replays, and the very same ids sent for another player. The round rules must hold under the race:
no round pays above its cap, a closed round takes nothing more, no rollback leaves a win paid on a
refunded stake, every id takes effect once, and each player's balance is its ledger's sum, never
below zero. Marked `load`: `pytest -m load` runs it (the size is WALLET_LOAD, clients x requests,
16x300 by default); `make test` leaves it out (the pyproject's addopts).
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.domain.errors import (
    BetAlreadyRolledBack,
    InsufficientFunds,
    NotFound,
)
from {{ cookiecutter.package_name }}.domain.guard import TransactionGuard
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import (
    BalanceMoved,
    EntryKind,
    LedgerEntry,
    RoundCapExceeded,
    RoundClosed,
    RoundHasWins,
    Wallet,
    WalletReceipt,
)

pytestmark = [pytest.mark.integration, pytest.mark.load]

PLAYERS = ("player-1", "player-2")  # the second sends the same ids: it must never meet the first's
CURRENCY = "EUR"
CLIENTS, REQUESTS_PER_CLIENT = (int(part) for part in os.environ.get("WALLET_LOAD", "16x300").split("x"))
# Few rounds for many requests (one round for about 40 requests): every id is sent again and again.
ROUNDS = max(4, CLIENTS * REQUESTS_PER_CLIENT // 40)
BETS_PER_ROUND = 3
CAP_MULTIPLE = 3  # small, so the cap bites under this traffic
OPENING_DEPOSIT = 20_000
EXPECTED_REFUSALS = (
    InsufficientFunds,
    NotFound,  # a win whose bet has not arrived (yet)
    BetAlreadyRolledBack,  # a win on a rolled-back bet, or a late bet of a rolled-back id
    RoundClosed,  # a bet or win after the round's final win
    RoundCapExceeded,  # a win past the round's cap
    RoundHasWins,  # a rollback of a bet whose round paid
)


@dataclass(frozen=True)
class Request:
    """One request; the same id always carries the same payload."""

    kind: EntryKind
    transaction_id: str
    round_id: str
    amount: int = 0
    bet_transaction_id: str | None = None
    closes: bool = False

    def send(self, wallet: Wallet, player: str, correlation_id: str) -> WalletReceipt:
        if self.kind is EntryKind.BET:
            money = Money(self.amount, CURRENCY)
            return wallet.place_bet(
                player, self.transaction_id, money, correlation_id=correlation_id, round_id=self.round_id
            )
        assert self.bet_transaction_id is not None
        if self.kind is EntryKind.WIN:
            return wallet.settle_win(
                player,
                self.transaction_id,
                self.bet_transaction_id,
                Money(self.amount, CURRENCY),
                correlation_id=correlation_id,
                round_id=self.round_id,
                close_round=self.closes,
            )
        return wallet.rollback_bet(
            player,
            self.transaction_id,
            self.bet_transaction_id,
            correlation_id=correlation_id,
            round_id=self.round_id,
        )


def request_pool() -> list[Request]:
    """Per round: its bets, wins on them (big ones that the cap refuses), a final win, rollbacks."""
    pool = []
    for number in range(ROUNDS):
        round_id = f"round-{number}"
        bets = [f"bet-{number}-{index}" for index in range(BETS_PER_ROUND)]
        for index, bet_id in enumerate(bets):
            pool.append(Request(EntryKind.BET, bet_id, round_id, 50 + 25 * index))
            pool.append(Request(EntryKind.WIN, f"win-{number}-{index}", round_id, 100 + 150 * index, bet_id))
        pool.append(
            Request(EntryKind.WIN, f"final-{number}", round_id, number % 3 * 30, bets[0], closes=True)
        )
        pool.append(Request(EntryKind.ROLLBACK, f"rb-{number}", round_id, bet_transaction_id=bets[-1]))
    return pool


class RaceCountingLedger(DynamoLedgerStore):
    """The DynamoDB store, counting the writes that lost the race for the balance (BalanceMoved) and
    the writes made without the balance's version once a request lost EXACT_BALANCE_ATTEMPTS races."""

    def __init__(self, table_name: str) -> None:
        super().__init__(table_name)
        self.writes: Counter[str] = Counter()
        self._count_lock = threading.Lock()

    def _counted(self, write: Callable[[], None], at_version: int | None) -> None:
        outcome = "unversioned" if at_version is None else "versioned"
        try:
            write()
        except BalanceMoved:
            outcome = "lost race"
            raise
        finally:
            with self._count_lock:
                self.writes[outcome] += 1

    def credit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        self._counted(lambda: super(RaceCountingLedger, self).credit(entry, guard, at_version), at_version)

    def debit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        self._counted(lambda: super(RaceCountingLedger, self).debit(entry, guard, at_version), at_version)

    def reverse(
        self,
        rollback: LedgerEntry,
        bet: LedgerEntry,
        guard: TransactionGuard | None = None,
        at_version: int | None = None,
    ) -> None:
        self._counted(
            lambda: super(RaceCountingLedger, self).reverse(rollback, bet, guard, at_version), at_version
        )


@dataclass
class Replies:
    receipts: list[tuple[str, Request, WalletReceipt]] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    unexpected: list[tuple[Request, BaseException]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def play(
    client: int, wallet: Wallet, pool: list[Request], replies: Replies, start: threading.Barrier
) -> None:
    chooser = random.Random(client)
    sent: list[tuple[str, Request]] = []
    start.wait()
    for number in range(REQUESTS_PER_CLIENT):
        if sent and chooser.random() < 0.2:
            player, request = chooser.choice(sent)  # a retry after a lost reply
        else:
            player, request = chooser.choice(PLAYERS), chooser.choice(pool)
        sent.append((player, request))
        try:
            receipt = request.send(wallet, player, f"client-{client}-{number}")
        except EXPECTED_REFUSALS as refusal:
            with replies.lock:
                replies.refusals[type(refusal).__name__] += 1
        except Exception as error:
            with replies.lock:
                replies.unexpected.append((request, error))
        else:
            with replies.lock:
                replies.receipts.append((player, request, receipt))


def test_sixteen_clients_keep_rounds_capped_closed_and_the_money_exact(aws_tables: dict[str, str]) -> None:
    ledger = RaceCountingLedger(aws_tables["WalletTable"])
    clock = FixedClock(datetime.now(UTC))
    wallet = Wallet(ledger, clock, "load.wallet", round_cap_multiple=CAP_MULTIPLE)
    for player in PLAYERS:
        wallet.deposit(player, "dep-opening", Money(OPENING_DEPOSIT, CURRENCY), correlation_id="opening")
    pool, replies = request_pool(), Replies()
    start = threading.Barrier(CLIENTS)
    clients = [
        threading.Thread(target=play, args=(number, wallet, pool, replies, start))
        for number in range(CLIENTS)
    ]
    started = time.perf_counter()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    elapsed = time.perf_counter() - started
    print(f"\n{CLIENTS} clients x {REQUESTS_PER_CLIENT} requests in {elapsed:.1f} s")
    print(f"writes: {dict(ledger.writes)}; refusals: {dict(replies.refusals)}")

    assert replies.unexpected == []
    assert len(replies.receipts) + sum(replies.refusals.values()) == CLIENTS * REQUESTS_PER_CLIENT
    for player in PLAYERS:
        mine = [(request, receipt) for who, request, receipt in replies.receipts if who == player]
        accepted = [receipt for _, receipt in mine if not receipt.replayed]
        assert max(Counter(receipt.transaction_id for receipt in accepted).values()) == 1, (
            "an id took effect twice"
        )
        assert all(receipt.balance is not None and receipt.balance.cash >= 0 for _, receipt in mine)
        # Every answer's balance is one the store really held: a balance version is one state, so two
        # answers at the same version carry the same money (an answer computed from a stale read would not).
        states: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for _, receipt in mine:
            assert receipt.balance is not None
            states[receipt.balance.version].add((receipt.balance.cash, receipt.balance.bonus))
        assert [version for version, held in states.items() if len(held) > 1] == []
        balance, reconciliation = wallet.balance(player), wallet.reconcile(player)
        assert balance is not None
        assert reconciliation.balanced
        assert (
            balance.cash
            == OPENING_DEPOSIT
            + sum(
                -receipt.amount if receipt.kind is EntryKind.BET else receipt.amount for receipt in accepted
            )
            >= 0
        )
        # Each round from its entries: its record agrees, and it paid within the cap of what stayed staked.
        entries = ledger.entries(player)
        staked: dict[str, int] = defaultdict(int)
        paid: dict[str, int] = defaultdict(int)
        # No win stands on a refunded stake: a rollback is refused once its round paid, and a win on
        # a rolled-back bet is refused; later wins are paid on the stakes that stayed (capped below).
        reversed_bets = {entry.transaction_id for entry in entries if entry.reversed_by is not None}
        wins_on_refunds = [
            entry.transaction_id
            for entry in entries
            if entry.kind is EntryKind.WIN and entry.reference in reversed_bets and entry.amount
        ]
        assert wins_on_refunds == [], "a win stands on a refunded stake"
        for round_id, total in paid.items():
            stored = ledger.round(player, round_id)
            assert stored is not None
            assert (stored.paid, stored.stakes) == (total, staked[round_id])
            assert total <= staked[round_id] * CAP_MULTIPLE, f"{round_id} paid above its cap"
            closing = [e for e in entries if e.round_id == round_id and e.closes_round]
            assert stored.closed == bool(closing)
    # The traffic really raced: every rule refused something, replays happened.
    assert {name for name, count in replies.refusals.items() if count} >= {
        "RoundClosed",
        "RoundCapExceeded",
        "RoundHasWins",
    }
    assert sum(receipt.replayed for _, _, receipt in replies.receipts) > 0
