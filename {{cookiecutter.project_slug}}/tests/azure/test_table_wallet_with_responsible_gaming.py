"""The wallet guarded by player protection on one Table Storage table, as the API builds them (Azurite).

A guarded bet reads the protection with the balance in the wallet's one query; the limits' counters are
not known before the guard is made, so they cost a second query (DynamoDB writes their caps as
conditions instead); the money, the counters and the protection's check are still one transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from tests.azure.test_table_wallet import operations_of
from tests.support.fixtures_azure import RequestLog

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
    KycStatus,
    LimitExceeded,
    LimitKind,
    LimitPeriod,
    ProtectionService,
)
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

PLAYER = "player-1"
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
WAGER_TODAY = "wager#day#2030-01-01"
SOURCE = "{{ cookiecutter.package_name }}"


def protected_wallet(table: Any) -> tuple[TableLedgerStore, ProtectionService, Wallet]:
    store = TableLedgerStore(table)
    clock = FixedClock(NOW)
    protection = ProtectionService(store, InMemoryEventPublisher(), clock, f"{SOURCE}.responsible_gaming")
    return store, protection, Wallet(store, clock, f"{SOURCE}.wallet", protection=protection)


def test_a_guarded_bet_is_two_queries_and_one_transaction(table_factory: Callable[..., Any]) -> None:
    requests: RequestLog = []
    store, protection, wallet = protected_wallet(table_factory(requests))
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="c")
    protection.set_limit(PLAYER, LimitKind.WAGER, LimitPeriod.DAY, 1_000, "EUR", correlation_id="c")
    wallet.deposit(PLAYER, "dep-0", Money.of(10_000, "EUR"), correlation_id="c")
    requests.clear()

    wallet.place_bet(PLAYER, "bet-1", Money.of(400, "EUR"), correlation_id="c")

    assert operations_of(requests) == ["query", "query", "transaction"], requests
    assert store.period_totals(PLAYER, [WAGER_TODAY]) == {WAGER_TODAY: 400}


def test_concurrent_bets_never_pass_the_wager_limit(table_factory: Callable[..., Any]) -> None:
    """Eight game servers betting for one player at once: the limit holds exactly."""
    table = table_factory()
    store, protection, _ = protected_wallet(table)
    limit = 3_000
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="c")
    protection.set_limit(PLAYER, LimitKind.WAGER, LimitPeriod.DAY, limit, "EUR", correlation_id="c")
    protected_wallet(table)[2].deposit(PLAYER, "dep-0", Money.of(1_000_000, "EUR"), correlation_id="c")
    accepted: list[int] = []
    refused: list[int] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def game_server(number: int) -> None:
        wallet = protected_wallet(table_factory(name=table.table_name))[2]  # its own client
        start.wait()
        for round_ in range(6):
            stake = 100 + (number * 37 + round_ * 53) % 400
            try:
                wallet.place_bet(PLAYER, f"bet-{number}-{round_}", Money.of(stake, "EUR"), correlation_id="c")
            except LimitExceeded:
                with lock:
                    refused.append(stake)
            except Exception as error:  # anything else fails the test below
                with lock:
                    unexpected.append(error)
            else:
                with lock:
                    accepted.append(stake)

    threads = [threading.Thread(target=game_server, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert unexpected == []
    assert sum(accepted) <= limit
    assert refused
    assert sum(accepted) + min(refused) > limit
    assert store.period_totals(PLAYER, [WAGER_TODAY]) == {WAGER_TODAY: sum(accepted)}
    balance = store.balance(PLAYER)
    assert balance is not None
    assert balance.cash == 1_000_000 - sum(accepted)
