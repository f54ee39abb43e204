"""Player protection in the wallet's Table Storage store: the guards hold inside the money's transaction.

Table Storage checks no condition on a value, so these pin how the store makes a guard hold: the caps are
checked on the counters read with the balance, the protection entity's ETag is a condition of the money's
transaction (a protection saved between the read and the write fails it), and "nothing stored" is pinned
by a placeholder that a later save replaces at its ETag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.domain.guard import (
    KycStatus,
    LimitBreached,
    LimitKind,
    LimitPeriod,
    PeriodCount,
    PlayerProtection,
    ProtectionCheckFailed,
    TransactionGuard,
)
from {{ cookiecutter.package_name }}.domain.wallet import (
    EntryKind,
    Funds,
    IdScope,
    LedgerEntry,
    fingerprint,
)

PLAYER = "player-1"
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
WAGER_TODAY = "wager#day#2030-01-01"
VERIFIED = PlayerProtection(PLAYER, kyc=KycStatus.VERIFIED, version=1)


def entry(transaction_id: str, kind: EntryKind, amount: int, funds: Funds = Funds.CASH) -> LedgerEntry:
    return LedgerEntry(
        transaction_id=transaction_id,
        player_id=PLAYER,
        kind=kind,
        amount=amount,
        currency="EUR",
        fingerprint=fingerprint(kind, PLAYER, amount, "EUR"),
        created_at=NOW,
        funds=funds,
    )


def wager(delta: int, cap: int | None = None) -> PeriodCount:
    return PeriodCount(LimitKind.WAGER, LimitPeriod.DAY, "2030-01-01", delta, cap)


def bet_guard(*counts: PeriodCount, version: int | None = 1) -> TransactionGuard:
    return TransactionGuard(PLAYER, counts, version, NOW)


def bonus_guard() -> TransactionGuard:
    return TransactionGuard(PLAYER, checked_at=NOW)


@pytest.fixture
def store(table_factory: Callable[..., Any]) -> TableLedgerStore:
    return TableLedgerStore(table_factory())


def funded(store: TableLedgerStore) -> None:
    store.save_protection(VERIFIED)
    store.credit(entry("dep-0", EntryKind.DEPOSIT, 10_000))


def test_protection_reads_back_and_a_save_needs_the_version_before_it(store: TableLedgerStore) -> None:
    excluded = PlayerProtection(PLAYER, self_excluded_until=NOW + timedelta(days=200), version=2)
    store.save_protection(VERIFIED)

    with pytest.raises(ProtectionCheckFailed):
        store.save_protection(VERIFIED)
    store.save_protection(excluded)

    assert store.protection(PLAYER) == excluded


def test_a_guarded_bet_moves_money_and_counters_together_within_the_cap(store: TableLedgerStore) -> None:
    funded(store)
    store.debit(entry("bet-1", EntryKind.BET, 700), bet_guard(wager(700, cap=1_000)))

    with pytest.raises(LimitBreached):
        store.debit(entry("bet-2", EntryKind.BET, 301), bet_guard(wager(301, cap=1_000)))
    store.debit(entry("bet-3", EntryKind.BET, 300), bet_guard(wager(300, cap=1_000)))

    assert store.period_totals(PLAYER, [WAGER_TODAY, "loss#day#2030-01-01"]) == {WAGER_TODAY: 1_000}
    assert store.entry(PLAYER, IdScope.GAME, "bet-2") is None
    balance = store.balance(PLAYER)
    assert balance is not None
    assert balance.cash == 9_000


def test_a_protection_saved_between_the_read_and_the_write_fails_the_write(
    table_factory: Callable[..., Any],
) -> None:
    table = table_factory()
    mine, theirs = TableLedgerStore(table), TableLedgerStore(table)
    funded(mine)
    seen = mine.snapshot(PLAYER, IdScope.GAME, "bet-1", protection=True)
    assert seen.balance is not None
    theirs.save_protection(PlayerProtection(PLAYER, kyc=KycStatus.VERIFIED, version=2))

    with pytest.raises(ProtectionCheckFailed):
        mine.debit(entry("bet-1", EntryKind.BET, 100), bet_guard(version=1), at_version=seen.balance.version)

    assert mine.entry(PLAYER, IdScope.GAME, "bet-1") is None


def test_a_bet_against_no_stored_protection_writes_nothing(store: TableLedgerStore) -> None:
    store.credit(entry("dep-0", EntryKind.DEPOSIT, 1_000))

    with pytest.raises(ProtectionCheckFailed):
        store.debit(entry("bet-1", EntryKind.BET, 100), bet_guard(version=1))

    assert store.entry(PLAYER, IdScope.GAME, "bet-1") is None


def test_a_bonus_without_protection_pins_its_absence_and_a_later_exclusion_still_saves(
    store: TableLedgerStore,
) -> None:
    store.credit(entry("promo-1", EntryKind.BONUS_GRANT, 500, Funds.BONUS), bonus_guard())
    excluded = PlayerProtection(PLAYER, self_excluded_until=NOW + timedelta(days=200), version=1)

    assert store.protection(PLAYER) is None  # the placeholder reads as nothing stored
    store.save_protection(excluded)
    with pytest.raises(ProtectionCheckFailed):
        store.credit(entry("promo-2", EntryKind.BONUS_GRANT, 500, Funds.BONUS), bonus_guard())

    assert store.protection(PLAYER) == excluded
    assert store.entry(PLAYER, IdScope.SYSTEM, "promo-2") is None
    balance = store.balance(PLAYER)
    assert balance is not None
    assert balance.bonus == 500


def test_an_exclusion_saved_after_a_bonus_read_no_protection_fails_the_grant(
    table_factory: Callable[..., Any],
) -> None:
    table = table_factory()
    mine, theirs = TableLedgerStore(table), TableLedgerStore(table)
    mine.snapshot(PLAYER, IdScope.SYSTEM, "promo-1", protection=True)
    theirs.save_protection(PlayerProtection(PLAYER, self_excluded_until=NOW + timedelta(days=200), version=1))

    with pytest.raises(ProtectionCheckFailed):
        mine.credit(entry("promo-1", EntryKind.BONUS_GRANT, 500, Funds.BONUS), bonus_guard(), at_version=0)

    assert mine.balance(PLAYER) is None
