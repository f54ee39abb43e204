"""One suite for every ProtectionStore and guarded LedgerStore: the cloud's behave like the in-memory ones.

A guard is checked and its counters moved in the same atomic write as the money: when any part fails,
nothing at all is written (no entry, no balance change, no counter change).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.support.real_stores import store_params

from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.errors import InsufficientFunds
from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
    KycStatus,
    Limit,
    LimitBreached,
    LimitKind,
    LimitPeriod,
    PendingLimit,
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
DAY_KEY = "2030-01-01"
WAGER_TODAY = "wager#day#2030-01-01"
LOSS_TODAY = "loss#day#2030-01-01"
VERIFIED = PlayerProtection(PLAYER, kyc=KycStatus.VERIFIED, version=1)


@pytest.fixture(params=store_params("real_protection_store"))
def store(request: pytest.FixtureRequest) -> InMemoryLedgerStore:
    if request.param == "memory":
        return InMemoryLedgerStore()
    real: InMemoryLedgerStore = request.getfixturevalue("real_protection_store")
    return real


def entry(transaction_id: str, kind: EntryKind, amount: int, reference: str | None = None) -> LedgerEntry:
    return LedgerEntry(
        transaction_id=transaction_id,
        player_id=PLAYER,
        kind=kind,
        amount=amount,
        currency="EUR",
        fingerprint=fingerprint(kind, PLAYER, amount, "EUR", reference),
        created_at=NOW,
        reference=reference,
    )


def wager(delta: int, cap: int | None = None, kind: LimitKind = LimitKind.WAGER) -> PeriodCount:
    return PeriodCount(kind, LimitPeriod.DAY, DAY_KEY, delta, cap)


def guard(*counts: PeriodCount, version: int | None = 1, at: datetime = NOW) -> TransactionGuard:
    return TransactionGuard(PLAYER, counts, version, at)


def funded(store: InMemoryLedgerStore, protection: PlayerProtection = VERIFIED) -> None:
    store.save_protection(protection)
    store.credit(entry("dep-0", EntryKind.DEPOSIT, 10_000))


def cash(store: InMemoryLedgerStore) -> int:
    balance = store.balance(PLAYER)
    return 0 if balance is None else balance.cash


def test_no_protection_is_stored_for_a_new_player(store: InMemoryLedgerStore) -> None:
    assert store.protection(PLAYER) is None
    assert store.period_totals(PLAYER, [WAGER_TODAY]) == {}


def test_protection_reads_back_equal(store: InMemoryLedgerStore) -> None:
    protection = PlayerProtection(
        PLAYER,
        kyc=KycStatus.VERIFIED,
        limits=(
            Limit(LimitKind.DEPOSIT, LimitPeriod.MONTH, 50_000, "EUR"),
            Limit(LimitKind.WAGER, LimitPeriod.DAY, 1_000, "EUR"),
        ),
        pending=(PendingLimit(LimitKind.WAGER, LimitPeriod.DAY, None, "EUR", NOW + timedelta(hours=24)),),
        self_excluded_until=NOW + timedelta(days=200),
        cooling_off_until=NOW + timedelta(hours=24),
        version=1,
    )

    store.save_protection(protection)

    assert store.protection(PLAYER) == protection


def test_a_save_needs_the_version_before_it(store: InMemoryLedgerStore) -> None:
    store.save_protection(VERIFIED)

    with pytest.raises(ProtectionCheckFailed):
        store.save_protection(VERIFIED)  # version 1 again: someone else saved version 1 first
    with pytest.raises(ProtectionCheckFailed):
        store.save_protection(PlayerProtection(PLAYER, kyc=KycStatus.REJECTED, version=3))
    store.save_protection(PlayerProtection(PLAYER, kyc=KycStatus.REJECTED, version=2))

    stored = store.protection(PLAYER)
    assert stored is not None
    assert (stored.kyc, stored.version) == (KycStatus.REJECTED, 2)


def test_a_guarded_bet_moves_money_and_counters_together(store: InMemoryLedgerStore) -> None:
    funded(store)

    store.debit(
        entry("bet-1", EntryKind.BET, 400), guard(wager(400, cap=1_000), wager(400, kind=LimitKind.LOSS))
    )
    store.debit(entry("bet-2", EntryKind.BET, 600), guard(wager(600, cap=1_000)))

    assert cash(store) == 9_000
    assert store.period_totals(PLAYER, [WAGER_TODAY, LOSS_TODAY, "deposit#day#2030-01-01"]) == {
        WAGER_TODAY: 1_000,
        LOSS_TODAY: 400,
    }


def test_a_bet_past_the_cap_writes_nothing(store: InMemoryLedgerStore) -> None:
    funded(store)
    store.debit(entry("bet-1", EntryKind.BET, 700), guard(wager(700, cap=1_000)))

    with pytest.raises(LimitBreached) as breached:
        store.debit(
            entry("bet-2", EntryKind.BET, 301), guard(wager(301, kind=LimitKind.LOSS), wager(301, cap=1_000))
        )

    assert breached.value.count == wager(301, cap=1_000)
    assert store.entry(PLAYER, IdScope.GAME, "bet-2") is None
    assert cash(store) == 9_300
    assert store.period_totals(PLAYER, [WAGER_TODAY, LOSS_TODAY]) == {WAGER_TODAY: 700}


def test_a_stake_above_the_cap_is_refused_without_a_counter(store: InMemoryLedgerStore) -> None:
    funded(store)

    with pytest.raises(LimitBreached):
        store.debit(entry("bet-1", EntryKind.BET, 1_001), guard(wager(1_001, cap=1_000)))

    assert store.entry(PLAYER, IdScope.GAME, "bet-1") is None
    assert store.period_totals(PLAYER, [WAGER_TODAY]) == {}


@pytest.mark.parametrize(
    ("now_stored", "guard_version"),
    [
        pytest.param(PlayerProtection(PLAYER, kyc=KycStatus.VERIFIED, version=2), 1, id="changed-since"),
        # A guard at the current version is still checked: the version alone is not trusted.
        pytest.param(PlayerProtection(PLAYER, kyc=KycStatus.PENDING, version=2), 2, id="not-verified"),
        pytest.param(
            PlayerProtection(
                PLAYER, kyc=KycStatus.VERIFIED, self_excluded_until=NOW + timedelta(days=1), version=2
            ),
            2,
            id="self-excluded",
        ),
        pytest.param(
            PlayerProtection(
                PLAYER, kyc=KycStatus.VERIFIED, cooling_off_until=NOW + timedelta(hours=1), version=2
            ),
            2,
            id="cooling-off",
        ),
    ],
)
def test_a_bet_against_another_protection_writes_nothing(
    store: InMemoryLedgerStore, now_stored: PlayerProtection, guard_version: int
) -> None:
    funded(store)
    store.save_protection(now_stored)

    with pytest.raises(ProtectionCheckFailed):
        store.debit(entry("bet-1", EntryKind.BET, 100), guard(wager(100, cap=1_000), version=guard_version))

    assert store.entry(PLAYER, IdScope.GAME, "bet-1") is None
    assert cash(store) == 10_000
    assert store.period_totals(PLAYER, [WAGER_TODAY]) == {}


def test_a_bet_for_a_player_with_no_protection_writes_nothing(store: InMemoryLedgerStore) -> None:
    store.credit(entry("dep-0", EntryKind.DEPOSIT, 10_000))

    with pytest.raises(ProtectionCheckFailed):
        store.debit(entry("bet-1", EntryKind.BET, 100), guard(wager(100)))

    assert cash(store) == 10_000


def test_an_exclusion_that_has_ended_lets_the_bet_through(store: InMemoryLedgerStore) -> None:
    store.save_protection(PlayerProtection(PLAYER, kyc=KycStatus.VERIFIED, cooling_off_until=NOW, version=1))
    store.credit(entry("dep-0", EntryKind.DEPOSIT, 10_000))

    store.debit(entry("bet-1", EntryKind.BET, 100), guard(wager(100)))

    assert cash(store) == 9_900


def test_insufficient_funds_wins_over_the_guard_and_writes_nothing(store: InMemoryLedgerStore) -> None:
    funded(store)

    with pytest.raises(InsufficientFunds):
        store.debit(entry("bet-1", EntryKind.BET, 10_001), guard(wager(10_001, cap=100_000)))

    assert store.period_totals(PLAYER, [WAGER_TODAY]) == {}


def test_a_guarded_deposit_counts_against_its_cap(store: InMemoryLedgerStore) -> None:
    store.save_protection(VERIFIED)
    deposits = "deposit#day#2030-01-01"
    cap = PeriodCount(LimitKind.DEPOSIT, LimitPeriod.DAY, DAY_KEY, 600, 1_000)

    store.credit(entry("dep-1", EntryKind.DEPOSIT, 600), guard(cap))
    with pytest.raises(LimitBreached):
        store.credit(entry("dep-2", EntryKind.DEPOSIT, 600), guard(cap))

    assert cash(store) == 600
    assert store.entry(PLAYER, IdScope.PAYMENT, "dep-2") is None
    assert store.period_totals(PLAYER, [deposits]) == {deposits: 600}


def test_wins_and_rollbacks_only_count_and_need_no_protection(store: InMemoryLedgerStore) -> None:
    funded(store)
    bet_1, bet_2 = entry("bet-1", EntryKind.BET, 500), entry("bet-2", EntryKind.BET, 300)
    store.debit(bet_1, guard(wager(500), wager(500, kind=LimitKind.LOSS)))
    store.debit(bet_2, guard(wager(300), wager(300, kind=LimitKind.LOSS)))
    store.save_protection(PlayerProtection(PLAYER, kyc=KycStatus.REJECTED, version=2))

    store.credit(
        entry("win-1", EntryKind.WIN, 2_000, "bet-1"), guard(wager(-2_000, kind=LimitKind.LOSS), version=None)
    )
    rollback = entry("rb-2", EntryKind.ROLLBACK, 300, "bet-2")
    store.reverse(rollback, bet_2, guard(wager(-300), wager(-300, kind=LimitKind.LOSS), version=None))

    assert cash(store) == 10_000 - 500 + 2_000
    assert store.period_totals(PLAYER, [WAGER_TODAY, LOSS_TODAY]) == {WAGER_TODAY: 500, LOSS_TODAY: -1_500}


def bonus_grant(transaction_id: str, amount: int) -> LedgerEntry:
    return LedgerEntry(
        transaction_id=transaction_id,
        player_id=PLAYER,
        kind=EntryKind.BONUS_GRANT,
        amount=amount,
        currency="EUR",
        fingerprint=fingerprint(EntryKind.BONUS_GRANT, PLAYER, amount, "EUR"),
        created_at=NOW,
        funds=Funds.BONUS,
    )


def bonus_guard(at: datetime = NOW) -> TransactionGuard:
    """A bonus grant's guard: the exclusions at `at` only (no version, no KYC, no counters)."""
    return TransactionGuard(PLAYER, checked_at=at)


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(
            PlayerProtection(PLAYER, self_excluded_until=NOW + timedelta(days=180), version=1),
            id="self-excluded",
        ),
        pytest.param(
            PlayerProtection(PLAYER, cooling_off_until=NOW + timedelta(hours=1), version=1), id="cooling-off"
        ),
    ],
)
def test_a_bonus_grant_to_an_excluded_player_writes_nothing(
    store: InMemoryLedgerStore, stored: PlayerProtection
) -> None:
    store.credit(entry("dep-0", EntryKind.DEPOSIT, 10_000))
    store.save_protection(stored)

    with pytest.raises(ProtectionCheckFailed):
        store.credit(bonus_grant("promo-1", 500), bonus_guard())

    assert store.entry(PLAYER, IdScope.SYSTEM, "promo-1") is None
    balance = store.balance(PLAYER)
    assert balance is not None
    assert (balance.cash, balance.bonus) == (10_000, 0)


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(None, id="nothing-stored"),
        pytest.param(PlayerProtection(PLAYER, kyc=KycStatus.REJECTED, version=1), id="kyc-rejected"),
        pytest.param(PlayerProtection(PLAYER, cooling_off_until=NOW, version=1), id="cool-off-ended"),
    ],
)
def test_a_bonus_grant_needs_no_kyc_nor_any_version(
    store: InMemoryLedgerStore, stored: PlayerProtection | None
) -> None:
    if stored is not None:
        store.save_protection(stored)

    store.credit(bonus_grant("promo-1", 500), bonus_guard())

    balance = store.balance(PLAYER)
    assert balance is not None
    assert balance.bonus == 500
    assert store.entry(PLAYER, IdScope.SYSTEM, "promo-1") == bonus_grant("promo-1", 500)
