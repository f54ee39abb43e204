"""One suite for the ledger jobs' ports: the chosen cloud's adapters behave like the in-memory ones.

The cloud's stores come from its fixtures (tests/support/real_stores.py); what only one cloud's store does is
tested in that store's own file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tests.support.real_stores import store_params

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.memory_ledger_jobs import (
    InMemoryExportSink,
    InMemoryWalletScanner,
)
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import IdScope, Wallet
from {{ cookiecutter.package_name }}.ports.ledger_jobs import ExportSink, WalletScanner
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
KEY = "exports/ledger/date=2029-12-31/ledger.jsonl"


@pytest.fixture(params=store_params("real_wallet_scanner"))
def wallet_table(request: pytest.FixtureRequest) -> tuple[WalletScanner, LedgerStore]:
    if request.param == "memory":
        ledger = InMemoryLedgerStore()
        return InMemoryWalletScanner(ledger), ledger
    stores: tuple[WalletScanner, LedgerStore] = request.getfixturevalue("real_wallet_scanner")
    return stores


@pytest.fixture(params=store_params("real_export_store"))
def export_store(request: pytest.FixtureRequest) -> tuple[ExportSink, Callable[[str], bytes | None]]:
    """A sink and a way to read what it stored under a key (None: nothing)."""
    if request.param == "memory":
        sink = InMemoryExportSink()
        return sink, sink.objects.get
    real: tuple[ExportSink, Callable[[str], bytes | None]] = request.getfixturevalue("real_export_store")
    return real


def wallet_at(ledger: LedgerStore, clock: FixedClock) -> Wallet:
    return Wallet(ledger, clock, "{{ cookiecutter.package_name }}.wallet")


# Wallet scans -----------------------------------------------------------------------------------


def test_every_player_with_a_balance_is_listed_once(wallet_table: tuple[WalletScanner, LedgerStore]) -> None:
    scanner, ledger = wallet_table
    wallet = wallet_at(ledger, FixedClock(NOW))
    for player in ("player-1", "player-2", "player-3"):
        wallet.deposit(player, f"{player}-dep", Money.of(100, "EUR"), correlation_id="c")
    wallet.place_bet("player-2", "bet-1", Money.of(50, "EUR"), correlation_id="c")
    # A rollback of a bet never seen, by a player with no wallet: ledger entries but no balance.
    wallet.rollback_bet("player-4", "rb-1", "bet-unseen", correlation_id="c")

    assert sorted(scanner.player_ids()) == ["player-1", "player-2", "player-3"]


def test_entries_of_a_day_include_its_first_instant_and_exclude_the_next_days(
    wallet_table: tuple[WalletScanner, LedgerStore],
) -> None:
    scanner, ledger = wallet_table
    clock = FixedClock(datetime(2029, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC))
    wallet = wallet_at(ledger, clock)
    wallet.deposit("player-1", "dep-before", Money.of(100, "EUR"), correlation_id="c")
    clock.advance(timedelta(microseconds=1))
    wallet.deposit("player-1", "dep-first", Money.of(100, "EUR"), correlation_id="c")
    clock.advance(timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999))
    wallet.rollback_bet("player-1", "rb-last", "bet-never-placed", correlation_id="c")
    clock.advance(timedelta(microseconds=1))
    wallet.deposit("player-1", "dep-next-day", Money.of(100, "EUR"), correlation_id="c")
    start = datetime(2030, 1, 1, tzinfo=UTC)

    found = {
        entry.transaction_id: entry
        for entry in scanner.entries_created_between(start, start + timedelta(days=1))
    }

    assert sorted(found) == ["bet-never-placed", "dep-first", "rb-last"]  # the tombstone included
    assert found["rb-last"] == ledger.entry("player-1", IdScope.GAME, "rb-last")


# Export sink ------------------------------------------------------------------------------------


def test_an_export_is_stored_as_lines_and_replaced_by_a_rewrite(
    export_store: tuple[ExportSink, Callable[[str], bytes | None]],
) -> None:
    sink, read = export_store

    first = sink.write(KEY, iter(['{"n": 1}', '{"n": 2}']))
    second = sink.write(KEY, iter(['{"n": 3}']))

    assert (first, second) == (18, 9)
    assert read(KEY) == b'{"n": 3}\n'


def test_an_empty_export_is_an_empty_object(
    export_store: tuple[ExportSink, Callable[[str], bytes | None]],
) -> None:
    sink, read = export_store

    assert sink.write(KEY, iter([])) == 0
    assert read(KEY) == b""


def test_a_failing_export_keeps_the_object_that_was_there(
    export_store: tuple[ExportSink, Callable[[str], bytes | None]],
) -> None:
    sink, read = export_store
    sink.write(KEY, iter(['{"n": 1}']))

    def broken() -> Iterator[str]:
        yield '{"n": 2}'
        raise RuntimeError("the scan failed")

    with pytest.raises(RuntimeError, match="the scan failed"):
        sink.write(KEY, broken())

    assert read(KEY) == b'{"n": 1}\n'
