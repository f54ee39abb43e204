"""The Firestore ledger store's own requests and load, on the gcloud Firestore emulator.

The behaviour every store shares is tests/contract/test_ledger_store_contract.py (run here on
Firestore through tests/support/fixtures_gcp_wallet.py); this file is what only Firestore's store shows:
one transaction per money operation, counted, and many players' clients at once.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.contract.test_ledger_store_contract import bet, deposit
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_wallet import FirestoreLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.domain.errors import InsufficientFunds
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import EntryKind, Wallet, WalletReceipt

PLAYER = "player-1"
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SOURCE = "{{ cookiecutter.package_name }}.wallet"
# The Firestore API's calls that go to the server, as the client library names them.
COUNTED = ("batch_get_documents", "get_document", "begin_transaction", "commit", "rollback", "run_query")


class Requests:
    """Counts the Firestore client's calls to the server, by name, for what runs inside `of`."""

    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        api = client._firestore_api  # the generated API client every request of this client goes through
        for name in COUNTED:
            original = getattr(api, name)
            setattr(api, name, self._counting(name, original))

    def _counting(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return original(*args, **kwargs)

        return call

    def of(self, operation: Callable[[], WalletReceipt]) -> tuple[WalletReceipt, list[str]]:
        start = len(self.calls)
        receipt = operation()
        return receipt, self.calls[start:]


def money_operations(wallet: Wallet, tag: str) -> list[tuple[str, Callable[[], WalletReceipt]]]:
    """Each kind of money operation once, in an order where each one can succeed."""
    eur = "EUR"
    return [
        ("deposit", lambda: wallet.deposit(PLAYER, f"dep-{tag}", Money.of(5_000, eur), correlation_id=tag)),
        ("withdrawal", lambda: wallet.withdraw(PLAYER, f"wd-{tag}", Money.of(500, eur), correlation_id=tag)),
        ("grant", lambda: wallet.grant_bonus(PLAYER, f"bonus-{tag}", Money.of(300, eur), correlation_id=tag)),
        ("bet", lambda: wallet.place_bet(PLAYER, f"bet-{tag}", Money.of(200, eur), correlation_id=tag)),
        (
            "win",
            lambda: wallet.settle_win(
                PLAYER, f"win-{tag}", f"bet-{tag}", Money.of(350, eur), correlation_id=tag
            ),
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


@pytest.fixture
def store(firestore_client: Any) -> FirestoreLedgerStore:
    return FirestoreLedgerStore(DATABASE, firestore_client)


def test_every_money_operation_is_one_read_and_one_transaction(store: FirestoreLedgerStore) -> None:
    """The snapshot's one read, then ONE transaction: its begin, its one read and its one commit.

    A replay is the snapshot's read alone: it answers as the original and writes nothing.
    """
    requests = Requests(store.client)
    wallet = Wallet(store, FixedClock(START), SOURCE)
    transaction = ["begin_transaction", "batch_get_documents", "commit"]
    seen: dict[str, list[str]] = {}
    for name, operation in money_operations(wallet, "t1"):
        receipt, calls = requests.of(operation)
        seen[name] = calls
        assert receipt.balance == store.balance(PLAYER), name
        replay, replay_calls = requests.of(operation)
        seen[f"{name} (replay)"] = replay_calls
        assert replay.replayed, name

    for name, calls in seen.items():
        expected = (
            ["batch_get_documents"] if name.endswith("(replay)") else ["batch_get_documents", *transaction]
        )
        assert calls == expected, (name, seen)
    assert store.balance(PLAYER) == wallet.balance(PLAYER)
    assert wallet.reconcile(PLAYER).balanced


def test_the_outbox_record_is_written_with_the_entry(store: FirestoreLedgerStore) -> None:
    wallet = Wallet(store, FixedClock(START), SOURCE)
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="c-1")

    stored = store.client.document(f"players/{PLAYER}/ledger/payment#dep-1").get().to_dict()

    assert [event["name"] for event in json.loads(stored["outbox"])] == ["FundsDeposited"]
    assert stored["kind"] == EntryKind.DEPOSIT.value


def test_a_refusal_in_the_transaction_writes_nothing_and_rolls_it_back(store: FirestoreLedgerStore) -> None:
    store.credit(deposit("dep-1", 100))
    requests = Requests(store.client)

    # Straight to the store (the wallet would refuse from its snapshot before any transaction).
    with pytest.raises(InsufficientFunds):
        store.debit(bet("bet-1", 101))

    assert requests.calls == ["begin_transaction", "batch_get_documents", "rollback"]
    assert [entry.transaction_id for entry in store.entries(PLAYER)] == ["dep-1"]
    balance = store.balance(PLAYER)
    assert balance is not None
    assert (balance.cash, balance.version) == (100, 1)


# Players on separate documents: the emulator takes 8 clients at once (each its own player).
SEPARATE_PLAYERS, SEPARATE_OPERATIONS = 8, 25


def test_eight_clients_on_separate_players_keep_every_balance_equal_to_its_ledger(
    store: FirestoreLedgerStore,
) -> None:
    """8 clients x 25 bets (a win on every other one), each on its own player, at once, with replays.

    Each client deposits, then bets and wins in turn and replays every third call: per player the balance
    equals the ledger's sum, never went below zero, and each transaction id took effect once.
    """
    wallet = Wallet(store, FixedClock(START), SOURCE)
    barrier = threading.Barrier(SEPARATE_PLAYERS)
    unexpected: list[BaseException] = []
    applied: Counter[tuple[str, str]] = Counter()
    lowest: list[int] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        player = f"player-{index}"
        barrier.wait()
        try:
            wallet.deposit(player, "dep-0", Money.of(1_000, "EUR"), correlation_id="c")
            with lock:
                applied[(player, "dep-0")] += 1
            for n in range(SEPARATE_OPERATIONS):
                tx = f"bet-{n}"
                for _ in range(2 if n % 3 == 0 else 1):  # every third call is sent twice
                    receipt = wallet.place_bet(player, tx, Money.of(50, "EUR"), correlation_id="c")
                    with lock:
                        if not receipt.replayed:
                            applied[(player, tx)] += 1
                        assert receipt.balance is not None
                        lowest.append(receipt.balance.cash)
                if n % 2 == 0:
                    won = wallet.settle_win(player, f"win-{n}", tx, Money.of(30, "EUR"), correlation_id="c")
                    with lock:
                        applied[(player, f"win-{n}")] += 0 if won.replayed else 1
        except BaseException as error:  # the test asserts none happened
            with lock:
                unexpected.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(index,)) for index in range(SEPARATE_PLAYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    assert unexpected == []
    assert max(applied.values()) == 1, "a transaction id took effect twice"
    assert min(lowest) >= 0
    for index in range(SEPARATE_PLAYERS):
        player = f"player-{index}"
        entries = store.entries(player)
        balance = store.balance(player)
        assert balance is not None
        assert balance.cash == sum(entry.signed_amount for entry in entries)
        assert len(entries) == 1 + SEPARATE_OPERATIONS + (SEPARATE_OPERATIONS + 1) // 2
    print(
        f"{SEPARATE_PLAYERS} clients x {SEPARATE_OPERATIONS} operations on separate players: {elapsed:.1f} s"
    )
