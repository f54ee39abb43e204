"""The wallet's Table Storage store on Azurite: what is particular to Table Storage.

The store's behaviour (the ledger's rules, refusals, races) is the shared contract suite's; this file pins
what only this store has: a money operation is one query and one entity group transaction, the outbox
is written in the entry, any transaction id fits Table Storage's keys, and a lost race at a balance
version answers with the balance as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.support.fixtures_azure import RequestLog

from {{ cookiecutter.package_name }}.adapters.azure_tables import table_client
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.domain.errors import InsufficientFunds
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import (
    BalanceMoved,
    EntryKind,
    IdScope,
    LedgerEntry,
    Wallet,
    fingerprint,
)

PLAYER = "player-1"
SOURCE = "{{ cookiecutter.package_name }}.wallet"
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def operations_of(requests: RequestLog) -> list[str]:
    """The requests as Table Storage operations: a query, a point read, an entity group transaction."""
    named = []
    for method, path in requests:
        if method == "GET":
            named.append("query" if path.endswith("()") else "point read")
        else:
            named.append("transaction" if path == "$batch" else f"{method} {path}")
    return named


@pytest.mark.parametrize(
    "operation",
    ["deposit", "bonus grant", "bet", "win", "rollback", "withdrawal"],
)
def test_each_money_operation_is_one_query_and_one_transaction(
    table_factory: Callable[..., Any], operation: str
) -> None:
    requests: RequestLog = []
    wallet = Wallet(TableLedgerStore(table_factory(requests)), FixedClock(START), SOURCE)
    eur = Money(100, "EUR")
    wallet.deposit(PLAYER, "dep-0", Money(1_000, "EUR"), correlation_id="c")
    wallet.place_bet(PLAYER, "bet-0", eur, correlation_id="c")
    operations: dict[str, Callable[[], object]] = {
        "deposit": lambda: wallet.deposit(PLAYER, "dep-1", eur, correlation_id="c"),
        "bonus grant": lambda: wallet.grant_bonus(PLAYER, "grant-1", eur, correlation_id="c"),
        "bet": lambda: wallet.place_bet(PLAYER, "bet-1", eur, correlation_id="c"),
        "win": lambda: wallet.settle_win(PLAYER, "win-1", "bet-0", eur, correlation_id="c"),
        "rollback": lambda: wallet.rollback_bet(PLAYER, "rb-1", "bet-0", correlation_id="c"),
        "withdrawal": lambda: wallet.withdraw(PLAYER, "wd-1", eur, correlation_id="c"),
    }
    requests.clear()

    operations[operation]()

    assert operations_of(requests) == ["query", "transaction"], requests


def test_a_replay_is_the_query_alone(table_factory: Callable[..., Any]) -> None:
    requests: RequestLog = []
    wallet = Wallet(TableLedgerStore(table_factory(requests)), FixedClock(START), SOURCE)
    wallet.deposit(PLAYER, "dep-1", Money(100, "EUR"), correlation_id="c")
    requests.clear()

    receipt = wallet.deposit(PLAYER, "dep-1", Money(100, "EUR"), correlation_id="c")

    assert receipt.replayed
    assert operations_of(requests) == ["query"]


def test_a_refused_bet_writes_nothing(table_factory: Callable[..., Any]) -> None:
    table = table_factory()
    wallet = Wallet(TableLedgerStore(table), FixedClock(START), SOURCE)
    wallet.deposit(PLAYER, "dep-1", Money(100, "EUR"), correlation_id="c")
    before = sorted((entity["RowKey"], entity.metadata["etag"]) for entity in table.list_entities())

    with pytest.raises(InsufficientFunds):
        wallet.place_bet(PLAYER, "bet-1", Money(101, "EUR"), correlation_id="c")

    assert sorted((entity["RowKey"], entity.metadata["etag"]) for entity in table.list_entities()) == before


def test_the_outbox_is_written_in_the_ledger_entry(table_factory: Callable[..., Any]) -> None:
    table = table_factory()
    ledger = TableLedgerStore(table)
    wallet = Wallet(ledger, FixedClock(START), SOURCE)

    wallet.deposit(PLAYER, "dep-1", Money(250, "EUR"), correlation_id="corr-1")

    (stored,) = [entity for entity in table.list_entities() if entity["RowKey"].startswith("TX:")]
    (event,) = json.loads(stored["outbox"])
    assert (event["name"], event["source"], event["correlation_id"]) == ("FundsDeposited", SOURCE, "corr-1")
    assert (event["detail"]["transaction_id"], event["detail"]["amount"]) == ("dep-1", 250)


@pytest.mark.parametrize("awkward", ["a/b", "a#b", "a?b", "a\\b", "a%2Fb", "ü-€"])
def test_any_transaction_and_player_id_fits_the_keys(table_factory: Callable[..., Any], awkward: str) -> None:
    ledger = TableLedgerStore(table_factory())
    first = LedgerEntry(
        transaction_id=awkward,
        player_id=f"player-{awkward}",
        kind=EntryKind.DEPOSIT,
        amount=10,
        currency="EUR",
        fingerprint=fingerprint(awkward),
        created_at=START,
    )

    ledger.credit(first)

    assert ledger.entry(first.player_id, IdScope.PAYMENT, awkward) == first
    assert ledger.entries(first.player_id) == [first]
    assert ledger.entry(first.player_id, IdScope.PAYMENT, "a") is None


def test_a_lost_race_at_a_version_is_balance_moved_with_the_balance_as_it_is(
    table_factory: Callable[..., Any],
) -> None:
    table = table_factory()
    mine, theirs = TableLedgerStore(table), TableLedgerStore(table)
    wallet = Wallet(theirs, FixedClock(START), SOURCE)
    wallet.deposit(PLAYER, "dep-1", Money(100, "EUR"), correlation_id="c")
    seen = mine.snapshot(PLAYER, IdScope.PAYMENT, "dep-2")
    wallet.deposit(PLAYER, "dep-3", Money(5, "EUR"), correlation_id="c")  # commits after my read
    late = LedgerEntry("dep-2", PLAYER, EntryKind.DEPOSIT, 7, "EUR", fingerprint("dep-2"), START)

    assert seen.balance is not None
    with pytest.raises(BalanceMoved) as moved:
        mine.credit(late, at_version=seen.balance.version)

    assert moved.value.balance is not None
    assert (moved.value.balance.cash, moved.value.balance.version) == (105, seen.balance.version + 1)
    assert mine.entry(PLAYER, IdScope.PAYMENT, "dep-2") is None


def test_the_client_needs_an_endpoint_or_a_connection_string() -> None:
    with pytest.raises(ValueError, match="endpoint"):
        table_client("wallet")
