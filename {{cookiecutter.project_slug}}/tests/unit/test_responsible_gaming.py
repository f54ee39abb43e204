"""Player protection against the in-memory wallet: the KYC gate, exclusions, cool-off and limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.compliance import LIMITS_POLICY
from {{ cookiecutter.package_name }}.domain.errors import (
    CurrencyMismatch,
    NotFound,
    ValidationFailed,
)
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
    LIMIT_INCREASE_DELAY,
    CoolingOff,
    ExcludedFromBonuses,
    KycRequired,
    KycStatus,
    LimitExceeded,
    LimitKind,
    LimitPeriod,
    LimitRaiseCooling,
    PlayerProtection,
    ProtectionChanged,
    ProtectionService,
    SelfExcluded,
    counter_id,
    period_key,
)
from {{ cookiecutter.package_name }}.domain.wallet import EntryKind, Funds, IdScope, Wallet

WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
SOURCE = "{{ cookiecutter.package_name }}.responsible_gaming"
PLAYER = "player-1"
DAY, WEEK, MONTH = LimitPeriod.DAY, LimitPeriod.WEEK, LimitPeriod.MONTH
DEPOSIT, LOSS, WAGER = LimitKind.DEPOSIT, LimitKind.LOSS, LimitKind.WAGER


def eur(amount: int) -> Money:
    return Money.of(amount, "EUR")


@pytest.fixture
def ledger(publisher: InMemoryEventPublisher) -> InMemoryLedgerStore:
    # Committed entries' events reach the publisher, as the stream publisher carries them to the bus.
    return InMemoryLedgerStore(relay=publisher)


@pytest.fixture
def protection(
    ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> ProtectionService:
    return ProtectionService(ledger, publisher, clock, SOURCE)


@pytest.fixture
def wallet(
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
    protection: ProtectionService,
) -> Wallet:
    return Wallet(ledger, clock, WALLET_SOURCE, protection=protection)


@pytest.fixture
def player(wallet: Wallet, protection: ProtectionService, publisher: InMemoryEventPublisher) -> str:
    """A verified player holding 1,000.00 EUR; the setup's events are cleared."""
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc")
    wallet.deposit(PLAYER, "dep-0", eur(100_000), correlation_id="dep")
    publisher.events.clear()
    return PLAYER


def cash(wallet: Wallet) -> int:
    balance = wallet.balance(PLAYER)
    return 0 if balance is None else balance.cash


def names(publisher: InMemoryEventPublisher) -> list[str]:
    return [event.name for event in publisher.events]


def used(ledger: InMemoryLedgerStore, kind: LimitKind, at: datetime, period: LimitPeriod = DAY) -> int:
    name = counter_id(kind, period, period_key(period, at))
    return ledger.period_totals(PLAYER, [name]).get(name, 0)


# The KYC gate.


@pytest.mark.parametrize("status", [None, KycStatus.UNVERIFIED, KycStatus.PENDING, KycStatus.REJECTED])
def test_a_player_without_verified_kyc_can_neither_deposit_nor_bet(
    wallet: Wallet,
    protection: ProtectionService,
    publisher: InMemoryEventPublisher,
    status: KycStatus | None,
) -> None:
    if status is not None:
        protection.set_kyc_status(PLAYER, status, correlation_id="kyc")
    publisher.events.clear()  # the KYC verdict's own event, if the status changed

    with pytest.raises(KycRequired):
        wallet.deposit(PLAYER, "dep-1", eur(1_000), correlation_id="c")
    with pytest.raises(KycRequired):
        wallet.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c")

    assert wallet.balance(PLAYER) is None
    assert names(publisher) == []


def test_verification_opens_the_wallet(wallet: Wallet, protection: ProtectionService) -> None:
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc")

    wallet.deposit(PLAYER, "dep-1", eur(1_000), correlation_id="c")
    wallet.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c")

    assert cash(wallet) == 900


def test_revoked_verification_stops_play_but_still_pays_wins(
    wallet: Wallet, protection: ProtectionService, player: str
) -> None:
    wallet.place_bet(player, "bet-1", eur(500), correlation_id="c")
    protection.set_kyc_status(player, KycStatus.REJECTED, correlation_id="kyc")

    with pytest.raises(KycRequired):
        wallet.place_bet(player, "bet-2", eur(500), correlation_id="c")
    wallet.settle_win(player, "win-1", "bet-1", eur(2_000), correlation_id="c")

    assert cash(wallet) == 100_000 - 500 + 2_000


# Self-exclusion and cool-off.


def test_self_exclusion_blocks_bets_and_deposits_but_pays_wins_and_rollbacks(
    wallet: Wallet, protection: ProtectionService, player: str, publisher: InMemoryEventPublisher
) -> None:
    wallet.place_bet(player, "bet-1", eur(1_000), correlation_id="c")
    wallet.place_bet(player, "bet-2", eur(1_000), correlation_id="c")

    protection.self_exclude(player, LIMITS_POLICY.self_exclusion_min_months, correlation_id="excl-1")
    publisher.events.clear()

    with pytest.raises(SelfExcluded):
        wallet.place_bet(player, "bet-3", eur(100), correlation_id="c")
    with pytest.raises(SelfExcluded):
        wallet.deposit(player, "dep-1", eur(100), correlation_id="c")
    wallet.settle_win(player, "win-1", "bet-1", eur(5_000), correlation_id="c")
    wallet.rollback_bet(player, "rb-2", "bet-2", correlation_id="c")

    assert cash(wallet) == 100_000 - 1_000 + 5_000
    assert names(publisher) == ["BetSettled", "BetRolledBack"]


def test_a_replayed_bet_is_still_answered_after_self_exclusion(
    wallet: Wallet, protection: ProtectionService, player: str
) -> None:
    first = wallet.place_bet(player, "bet-1", eur(1_000), correlation_id="c")
    protection.self_exclude(player, LIMITS_POLICY.self_exclusion_min_months, correlation_id="excl")

    replay = wallet.place_bet(player, "bet-1", eur(1_000), correlation_id="c")

    assert replay.replayed
    assert (replay.transaction_id, replay.amount) == (first.transaction_id, first.amount)
    assert cash(wallet) == 100_000 - 1_000


def test_self_exclusion_is_announced_with_its_end_and_correlation_id(
    protection: ProtectionService, player: str, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    months = LIMITS_POLICY.self_exclusion_min_months
    excluded = protection.self_exclude(player, months, correlation_id="excl-1")

    assert excluded.self_excluded_until is not None
    assert excluded.self_excluded_until > clock.now() + timedelta(days=28 * months)
    (event,) = publisher.events
    assert (event.name, event.source, event.correlation_id) == ("SelfExclusionStarted", SOURCE, "excl-1")
    assert event.detail == {
        "player_id": player,
        "exclusion": "self_exclusion",
        "until": excluded.self_excluded_until.isoformat(),
    }


def test_self_exclusion_ends_after_the_chosen_months(
    wallet: Wallet, protection: ProtectionService, player: str, clock: FixedClock
) -> None:
    excluded = protection.self_exclude(player, LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")
    assert excluded.self_excluded_until is not None

    clock.advance(excluded.self_excluded_until - clock.now() - timedelta(seconds=1))
    with pytest.raises(SelfExcluded):
        wallet.place_bet(player, "bet-1", eur(100), correlation_id="c")
    clock.advance(timedelta(seconds=1))
    wallet.place_bet(player, "bet-1", eur(100), correlation_id="c")


@pytest.mark.parametrize(
    "months", [LIMITS_POLICY.self_exclusion_min_months - 1, 0, -6, 61, "6", 6.0, True, None]
)
def test_self_exclusion_outside_the_allowed_months_is_refused(
    protection: ProtectionService, player: str, publisher: InMemoryEventPublisher, months: object
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        protection.self_exclude(player, months, correlation_id="e")  # type: ignore[arg-type]

    assert refused.value.field == "months"
    assert protection.protection(player).protection.self_excluded_until is None
    assert publisher.events == []


def test_a_self_exclusion_is_never_shortened(
    protection: ProtectionService, player: str, publisher: InMemoryEventPublisher
) -> None:
    longest = protection.self_exclude(player, 24, correlation_id="e1")
    shorter = protection.self_exclude(player, LIMITS_POLICY.self_exclusion_min_months, correlation_id="e2")

    assert shorter.self_excluded_until == longest.self_excluded_until
    assert names(publisher) == ["SelfExclusionStarted"]


def test_cool_off_blocks_play_until_it_ends(
    wallet: Wallet,
    protection: ProtectionService,
    player: str,
    clock: FixedClock,
    publisher: InMemoryEventPublisher,
) -> None:
    protection.cool_off(player, LIMITS_POLICY.cool_off_hours, correlation_id="break-1")

    with pytest.raises(CoolingOff):
        wallet.place_bet(player, "bet-1", eur(100), correlation_id="c")
    with pytest.raises(CoolingOff):
        wallet.deposit(player, "dep-1", eur(100), correlation_id="c")
    clock.advance(timedelta(hours=LIMITS_POLICY.cool_off_hours))
    wallet.place_bet(player, "bet-1", eur(100), correlation_id="c")

    started = publisher.events[0]
    assert (started.name, started.detail["exclusion"], started.correlation_id) == (
        "SelfExclusionStarted",
        "cool_off",
        "break-1",
    )


@pytest.mark.parametrize("hours", [LIMITS_POLICY.cool_off_hours - 1, 0, 6 * 7 * 24 + 1, "24"])
def test_cool_off_outside_the_allowed_hours_is_refused(
    protection: ProtectionService, player: str, hours: object
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        protection.cool_off(player, hours, correlation_id="c")  # type: ignore[arg-type]

    assert refused.value.field == "hours"
    assert protection.protection(player).protection.cooling_off_until is None


# Limits: decreases at once, increases after the cooling period.


def test_a_new_limit_applies_at_once_and_is_announced(
    protection: ProtectionService, player: str, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    change = protection.set_limit(player, WAGER, DAY, 5_000, "EUR", correlation_id="lim-1")

    assert (change.pending, change.amount, change.previous_amount) == (False, 5_000, None)
    assert protection.protection(player).protection.limit(WAGER, DAY, clock.now()) is not None
    (event,) = publisher.events
    assert (event.name, event.source, event.correlation_id) == ("LimitChanged", SOURCE, "lim-1")
    assert event.detail == {
        "player_id": player,
        "limit_kind": "wager",
        "period": "day",
        "amount": 5_000,
        "previous_amount": None,
        "currency": "EUR",
        "effective_at": clock.now().isoformat(),
        "pending": False,
    }


def test_a_raised_limit_waits_for_the_cooling_period_and_the_players_confirmation(
    wallet: Wallet,
    protection: ProtectionService,
    player: str,
    clock: FixedClock,
    publisher: InMemoryEventPublisher,
) -> None:
    protection.set_limit(player, WAGER, DAY, 1_000, "EUR", correlation_id="c")

    change = protection.set_limit(player, WAGER, DAY, 3_000, "EUR", correlation_id="c")

    assert change.pending
    assert change.effective_at == clock.now() + LIMIT_INCREASE_DELAY
    clock.advance(LIMIT_INCREASE_DELAY * 3)
    # The cooling period is long over, but the player has not confirmed: the old limit holds.
    with pytest.raises(LimitExceeded):
        wallet.place_bet(player, "bet-1", eur(2_000), correlation_id="c")
    publisher.events.clear()

    confirmed = protection.confirm_limit(player, WAGER, DAY, correlation_id="confirm")

    assert (confirmed.pending, confirmed.amount, confirmed.previous_amount) == (False, 3_000, 1_000)
    wallet.place_bet(player, "bet-1", eur(2_000), correlation_id="c")
    view = protection.protection(player)
    assert [(limit.amount, view.used[(limit.kind, limit.period)]) for limit in view.protection.limits] == [
        (3_000, 2_000)
    ]
    assert view.protection.pending == ()
    event = publisher.events[0]
    assert (event.name, event.correlation_id) == ("LimitRaiseConfirmed", "confirm")
    assert event.detail == {
        "player_id": player,
        "limit_kind": "wager",
        "period": "day",
        "amount": 3_000,
        "previous_amount": 1_000,
        "currency": "EUR",
        "effective_at": clock.now().isoformat(),
    }


def test_a_raise_cannot_be_confirmed_before_its_cooling_period_ends(
    wallet: Wallet, protection: ProtectionService, player: str, clock: FixedClock
) -> None:
    protection.set_limit(player, WAGER, DAY, 1_000, "EUR", correlation_id="c")
    protection.set_limit(player, WAGER, DAY, 3_000, "EUR", correlation_id="c")
    clock.advance(LIMIT_INCREASE_DELAY - timedelta(seconds=1))

    with pytest.raises(LimitRaiseCooling) as early:
        protection.confirm_limit(player, WAGER, DAY, correlation_id="c")

    assert (early.value.status, early.value.field) == (409, "period")
    with pytest.raises(LimitExceeded):
        wallet.place_bet(player, "bet-1", eur(2_000), correlation_id="c")


def test_confirming_a_limit_with_no_raise_waiting_is_not_found(
    protection: ProtectionService, player: str
) -> None:
    protection.set_limit(player, WAGER, DAY, 1_000, "EUR", correlation_id="c")

    with pytest.raises(NotFound):
        protection.confirm_limit(player, WAGER, DAY, correlation_id="c")


def test_a_removed_limit_waits_for_the_cooling_period_and_the_players_confirmation(
    wallet: Wallet, protection: ProtectionService, player: str, clock: FixedClock
) -> None:
    protection.set_limit(player, WAGER, DAY, 1_000, "EUR", correlation_id="c")

    change = protection.set_limit(player, WAGER, DAY, None, "EUR", correlation_id="c")

    assert (change.pending, change.amount, change.previous_amount) == (True, None, 1_000)
    clock.advance(LIMIT_INCREASE_DELAY)
    with pytest.raises(LimitExceeded):
        wallet.place_bet(player, "bet-1", eur(1_001), correlation_id="c")
    protection.confirm_limit(player, WAGER, DAY, correlation_id="c")
    wallet.place_bet(player, "bet-1", eur(50_000), correlation_id="c")
    assert protection.protection(player).protection.limits == ()


def test_a_kyc_status_change_is_announced_for_the_audit_trail(
    protection: ProtectionService, publisher: InMemoryEventPublisher
) -> None:
    protection.set_kyc_status(PLAYER, KycStatus.PENDING, correlation_id="kyc-1")
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc-2")
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc-3")  # no change: no event

    assert [(event.name, event.correlation_id) for event in publisher.events] == [
        ("KycStatusChanged", "kyc-1"),
        ("KycStatusChanged", "kyc-2"),
    ]
    assert [event.detail for event in publisher.events] == [
        {"player_id": PLAYER, "kyc_status": "pending", "previous_status": "unverified"},
        {"player_id": PLAYER, "kyc_status": "verified", "previous_status": "pending"},
    ]


def test_a_decrease_applies_at_once_and_cancels_a_waiting_raise(
    protection: ProtectionService, player: str, clock: FixedClock
) -> None:
    protection.set_limit(player, DEPOSIT, WEEK, 10_000, "EUR", correlation_id="c")
    protection.set_limit(player, DEPOSIT, WEEK, 20_000, "EUR", correlation_id="c")

    change = protection.set_limit(player, DEPOSIT, WEEK, 5_000, "EUR", correlation_id="c")
    clock.advance(LIMIT_INCREASE_DELAY * 2)

    assert (change.pending, change.previous_amount) == (False, 10_000)
    limit = protection.protection(player).protection.limit(DEPOSIT, WEEK, clock.now())
    assert limit is not None
    assert limit.amount == 5_000


def test_asking_for_the_limit_in_force_changes_nothing(
    protection: ProtectionService, player: str, publisher: InMemoryEventPublisher
) -> None:
    protection.set_limit(player, LOSS, MONTH, 10_000, "EUR", correlation_id="c")
    version = protection.protection(player).protection.version

    protection.set_limit(player, LOSS, MONTH, 10_000, "EUR", correlation_id="c")

    assert protection.protection(player).protection.version == version
    assert names(publisher) == ["LimitChanged"]


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [(0, "EUR", "amount"), (-5, "EUR", "amount"), (1.5, "EUR", "amount"), (100, "euro", "currency")],
)
def test_malformed_limits_are_refused(
    protection: ProtectionService, player: str, amount: object, currency: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        protection.set_limit(player, WAGER, DAY, amount, currency, correlation_id="c")  # type: ignore[arg-type]

    assert refused.value.field == field
    assert protection.protection(player).protection.limits == ()


def test_limits_are_set_in_the_wallets_currency(protection: ProtectionService, player: str) -> None:
    with pytest.raises(CurrencyMismatch):
        protection.set_limit(player, WAGER, DAY, 1_000, "GBP", correlation_id="c")


# Limits enforced on bets, wins, rollbacks and deposits.


def test_a_bet_that_would_pass_the_wager_limit_is_refused_and_announced(
    wallet: Wallet,
    protection: ProtectionService,
    player: str,
    publisher: InMemoryEventPublisher,
    ledger: InMemoryLedgerStore,
    clock: FixedClock,
) -> None:
    protection.set_limit(player, WAGER, DAY, 1_000, "EUR", correlation_id="c")
    wallet.place_bet(player, "bet-1", eur(700), correlation_id="c")
    publisher.events.clear()

    with pytest.raises(LimitExceeded) as refused:
        wallet.place_bet(player, "bet-2", eur(301), correlation_id="round-2")

    assert refused.value.field == "amount"
    assert cash(wallet) == 100_000 - 700
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-2") is None
    assert used(ledger, WAGER, clock.now()) == 700
    (reached,) = publisher.events
    assert (reached.name, reached.source, reached.correlation_id) == ("LimitReached", SOURCE, "round-2")
    assert reached.detail == {
        "player_id": player,
        "transaction_id": "bet-2",
        "limit_kind": "wager",
        "period": "day",
        "limit": 1_000,
        "amount": 301,
        "currency": "EUR",
    }
    wallet.place_bet(player, "bet-3", eur(300), correlation_id="c")
    assert used(ledger, WAGER, clock.now()) == 1_000


def test_a_stake_above_the_whole_limit_is_refused_before_any_play(
    wallet: Wallet, protection: ProtectionService, player: str, publisher: InMemoryEventPublisher
) -> None:
    protection.set_limit(player, WAGER, WEEK, 1_000, "EUR", correlation_id="c")
    publisher.events.clear()

    with pytest.raises(LimitExceeded):
        wallet.place_bet(player, "bet-1", eur(1_001), correlation_id="c")

    assert names(publisher) == ["LimitReached"]
    assert cash(wallet) == 100_000


def test_a_limit_set_during_the_day_counts_the_days_play_before_it(
    wallet: Wallet, protection: ProtectionService, player: str
) -> None:
    wallet.place_bet(player, "bet-1", eur(900), correlation_id="c")
    protection.set_limit(player, WAGER, DAY, 1_000, "EUR", correlation_id="c")

    with pytest.raises(LimitExceeded):
        wallet.place_bet(player, "bet-2", eur(200), correlation_id="c")


def test_the_daily_limit_starts_again_on_the_next_utc_day(
    wallet: Wallet, protection: ProtectionService, player: str, clock: FixedClock
) -> None:
    protection.set_limit(player, WAGER, DAY, 1_000, "EUR", correlation_id="c")
    wallet.place_bet(player, "bet-1", eur(1_000), correlation_id="c")
    with pytest.raises(LimitExceeded):
        wallet.place_bet(player, "bet-2", eur(1), correlation_id="c")

    clock.advance(timedelta(hours=12))  # 2030-01-02 00:00 UTC

    wallet.place_bet(player, "bet-2", eur(1_000), correlation_id="c")


def test_loss_is_stakes_minus_wins(
    wallet: Wallet, protection: ProtectionService, player: str, ledger: InMemoryLedgerStore, clock: FixedClock
) -> None:
    protection.set_limit(player, LOSS, DAY, 1_000, "EUR", correlation_id="c")
    wallet.place_bet(player, "bet-1", eur(1_000), correlation_id="c")
    with pytest.raises(LimitExceeded):
        wallet.place_bet(player, "bet-2", eur(1), correlation_id="c")

    wallet.settle_win(player, "win-1", "bet-1", eur(600), correlation_id="c")

    wallet.place_bet(player, "bet-2", eur(600), correlation_id="c")
    assert used(ledger, LOSS, clock.now()) == 1_000
    assert used(ledger, WAGER, clock.now()) == 1_600


def test_a_win_is_paid_whatever_the_limits(
    wallet: Wallet, protection: ProtectionService, player: str, ledger: InMemoryLedgerStore, clock: FixedClock
) -> None:
    protection.set_limit(player, LOSS, DAY, 500, "EUR", correlation_id="c")
    wallet.place_bet(player, "bet-1", eur(500), correlation_id="c")

    wallet.settle_win(player, "win-1", "bet-1", eur(50_000), correlation_id="c")

    assert cash(wallet) == 100_000 - 500 + 50_000
    assert used(ledger, LOSS, clock.now()) == -49_500


def test_a_rollback_gives_its_stake_back_to_the_limits_of_the_bets_day(
    wallet: Wallet, protection: ProtectionService, player: str, ledger: InMemoryLedgerStore, clock: FixedClock
) -> None:
    protection.set_limit(player, WAGER, DAY, 1_000, "EUR", correlation_id="c")
    placed_at = clock.now()
    wallet.place_bet(player, "bet-1", eur(1_000), correlation_id="c")
    clock.advance(timedelta(minutes=5))

    wallet.rollback_bet(player, "rb-1", "bet-1", correlation_id="c")

    assert used(ledger, WAGER, placed_at) == 0
    assert used(ledger, LOSS, placed_at) == 0
    wallet.place_bet(player, "bet-2", eur(1_000), correlation_id="c")


def test_bonus_stakes_do_not_count_towards_limits_where_the_rule_says_so(
    ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    protection = ProtectionService(
        ledger, publisher, clock, SOURCE, replace(LIMITS_POLICY, bonus_stakes_count_towards_limits=False)
    )
    wallet = funded_with_bonus(ledger, clock, protection)

    wallet.place_bet(PLAYER, "bet-1", eur(5_000), correlation_id="c", funds=Funds.BONUS)

    assert used(ledger, WAGER, clock.now()) == 0


def test_bonus_stakes_count_towards_limits_where_the_rule_says_so(
    ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    protection = ProtectionService(
        ledger, publisher, clock, SOURCE, replace(LIMITS_POLICY, bonus_stakes_count_towards_limits=True)
    )
    wallet = funded_with_bonus(ledger, clock, protection)

    wallet.place_bet(PLAYER, "bet-1", eur(600), correlation_id="c", funds=Funds.BONUS)
    with pytest.raises(LimitExceeded):
        wallet.place_bet(PLAYER, "bet-2", eur(600), correlation_id="c", funds=Funds.BONUS)
    wallet.settle_win(PLAYER, "win-1", "bet-1", eur(200), correlation_id="c")

    assert used(ledger, WAGER, clock.now()) == 600
    assert used(ledger, LOSS, clock.now()) == 400


def funded_with_bonus(
    ledger: InMemoryLedgerStore, clock: FixedClock, protection: ProtectionService
) -> Wallet:
    """A verified player with 50.00 EUR of bonus and a daily wager limit of 10.00 EUR."""
    wallet = Wallet(ledger, clock, WALLET_SOURCE, protection=protection)
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc")
    wallet.deposit(PLAYER, "dep-0", eur(100), correlation_id="dep")
    wallet.grant_bonus(PLAYER, "bonus-1", eur(5_000), correlation_id="c")
    protection.set_limit(PLAYER, WAGER, DAY, 1_000, "EUR", correlation_id="c")
    return wallet


def test_the_deposit_limit_is_checked_with_the_deposit(
    wallet: Wallet, protection: ProtectionService, player: str, publisher: InMemoryEventPublisher
) -> None:
    protection.set_limit(player, DEPOSIT, MONTH, 150_000, "EUR", correlation_id="c")
    publisher.events.clear()

    with pytest.raises(LimitExceeded):
        wallet.deposit(player, "dep-1", eur(50_001), correlation_id="c")
    wallet.deposit(player, "dep-1", eur(50_000), correlation_id="c")

    assert cash(wallet) == 150_000
    assert names(publisher) == ["LimitReached", "FundsDeposited"]
    assert publisher.events[0].detail["limit_kind"] == "deposit"


def test_a_bet_in_another_currency_than_the_limits_is_refused(
    wallet: Wallet, protection: ProtectionService, player: str
) -> None:
    protection.set_limit(player, WAGER, DAY, 1_000, "EUR", correlation_id="c")

    with pytest.raises(CurrencyMismatch):
        wallet.place_bet(player, "bet-1", Money.of(100, "GBP"), correlation_id="c")


@pytest.mark.parametrize(
    ("period", "moment", "key"),
    [
        (DAY, datetime(2030, 12, 31, 23, 59, tzinfo=UTC), "2030-12-31"),
        (WEEK, datetime(2030, 12, 31, 23, 59, tzinfo=UTC), "2031-W01"),
        (WEEK, datetime(2030, 1, 6, 23, 59, tzinfo=UTC), "2030-W01"),
        (MONTH, datetime(2030, 2, 28, 23, 59, tzinfo=UTC), "2030-02"),
    ],
)
def test_periods_are_utc_days_iso_weeks_and_months(period: LimitPeriod, moment: datetime, key: str) -> None:
    assert period_key(period, moment) == key


# A limit changed between the guard's read and the ledger's write.


class RacingLimitChange(InMemoryLedgerStore):
    """A store where another request lowers the wager limit right after the bet read the protection."""

    def __init__(self, lowered_to: int, times: int = 1) -> None:
        super().__init__()
        self.lowered_to = lowered_to
        self.times = times
        self.armed = False

    def protection(self, player_id: str) -> PlayerProtection | None:
        current = super().protection(player_id)
        if self.armed and self.times and current is not None:
            self.times -= 1
            settled = current.settled(datetime.now(UTC))
            limits = tuple(
                limit if limit.kind is not WAGER else type(limit)(WAGER, DAY, self.lowered_to, "EUR")
                for limit in settled.limits
            )
            self.save_protection(
                PlayerProtection(player_id, settled.kyc, limits, settled.pending, version=current.version + 1)
            )
        return current


def racing_wallet(
    store: RacingLimitChange, publisher: InMemoryEventPublisher, clock: FixedClock
) -> tuple[Wallet, ProtectionService]:
    protection = ProtectionService(store, publisher, clock, SOURCE)
    wallet = Wallet(store, clock, WALLET_SOURCE, protection=protection)
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="c")
    protection.set_limit(PLAYER, WAGER, DAY, 10_000, "EUR", correlation_id="c")
    wallet.deposit(PLAYER, "dep-0", eur(100_000), correlation_id="c")
    store.armed = True
    return wallet, protection


def test_a_limit_lowered_while_the_bet_is_written_decides_the_bet(
    publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    store = RacingLimitChange(lowered_to=100)
    wallet, _ = racing_wallet(store, publisher, clock)

    with pytest.raises(LimitExceeded):
        wallet.place_bet(PLAYER, "bet-1", eur(5_000), correlation_id="c")

    assert store.times == 0
    assert cash(wallet) == 100_000


def test_a_protection_that_keeps_changing_refuses_the_bet(
    publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    store = RacingLimitChange(lowered_to=9_000, times=5)
    wallet, _ = racing_wallet(store, publisher, clock)

    with pytest.raises(ProtectionChanged):
        wallet.place_bet(PLAYER, "bet-1", eur(5_000), correlation_id="c")

    assert cash(wallet) == 100_000
    assert store.entry(PLAYER, IdScope.GAME, "bet-1") is None


def test_the_protection_view_shows_each_limits_use(
    wallet: Wallet, protection: ProtectionService, player: str
) -> None:
    protection.set_limit(player, WAGER, DAY, 5_000, "EUR", correlation_id="c")
    protection.set_limit(player, DEPOSIT, MONTH, 200_000, "EUR", correlation_id="c")
    wallet.place_bet(player, "bet-1", eur(1_200), correlation_id="c")

    view = protection.protection(player)

    assert view.used == {(DEPOSIT, MONTH): 100_000, (WAGER, DAY): 1_200}
    assert view.protection.kyc is KycStatus.VERIFIED
    assert view.protection.allows_marketing(view.now)


# Withdrawals: players can always take their money out.


def exclude(protection: ProtectionService, how: str) -> None:
    """Put PLAYER in one of the states that stop play: self-excluded, cooling off or KYC revoked."""
    if how == "self-excluded":
        protection.self_exclude(PLAYER, LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")
    elif how == "cooling-off":
        protection.cool_off(PLAYER, LIMITS_POLICY.cool_off_hours, correlation_id="e")
    else:
        protection.set_kyc_status(PLAYER, KycStatus.REJECTED, correlation_id="kyc")


@pytest.mark.parametrize("how", ["self-excluded", "cooling-off", "unverified"])
def test_a_blocked_player_can_still_withdraw(
    wallet: Wallet, protection: ProtectionService, player: str, publisher: InMemoryEventPublisher, how: str
) -> None:
    exclude(protection, how)
    publisher.events.clear()

    receipt = wallet.withdraw(player, "wd-1", eur(60_000), correlation_id="payout-1")

    assert (receipt.kind, receipt.replayed) == (EntryKind.WITHDRAWAL, False)
    assert cash(wallet) == 40_000
    (event,) = publisher.events
    assert (event.name, event.correlation_id) == ("FundsWithdrawn", "payout-1")
    assert wallet.reconcile(player).balanced


def test_a_withdrawal_is_neither_refused_nor_counted_by_limits(
    wallet: Wallet, protection: ProtectionService, ledger: InMemoryLedgerStore, player: str, clock: FixedClock
) -> None:
    for kind in (DEPOSIT, LOSS, WAGER):
        protection.set_limit(player, kind, DAY, 100, "EUR", correlation_id="c")

    wallet.withdraw(player, "wd-1", eur(50_000), correlation_id="c")

    assert cash(wallet) == 50_000
    assert [used(ledger, kind, clock.now()) for kind in (DEPOSIT, LOSS, WAGER)] == [100_000, 0, 0]


def test_a_player_who_never_had_protection_stored_can_withdraw(
    ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock, wallet: Wallet
) -> None:
    Wallet(ledger, clock, WALLET_SOURCE).deposit(PLAYER, "dep-0", eur(1_000), correlation_id="c")

    wallet.withdraw(PLAYER, "wd-1", eur(1_000), correlation_id="c")

    assert ledger.protection(PLAYER) is None
    assert cash(wallet) == 0


# Bonuses are marketing: none while self-excluded or cooling off.


@pytest.mark.parametrize("how", ["self-excluded", "cooling-off"])
def test_an_excluded_player_gets_no_bonus_and_nothing_is_written(
    wallet: Wallet,
    protection: ProtectionService,
    ledger: InMemoryLedgerStore,
    player: str,
    publisher: InMemoryEventPublisher,
    how: str,
) -> None:
    exclude(protection, how)
    publisher.events.clear()

    with pytest.raises(ExcludedFromBonuses) as refused:
        wallet.grant_bonus(player, "promo-1", eur(500), correlation_id="c")

    assert refused.value.status == 403
    assert ("self-excluded" if how == "self-excluded" else "cooling off") in refused.value.message
    assert ledger.entry(PLAYER, IdScope.SYSTEM, "promo-1") is None
    assert wallet.balance(player).bonus == 0  # type: ignore[union-attr]
    assert publisher.events == []


def test_a_bonus_is_granted_again_once_the_cool_off_ends(
    wallet: Wallet, protection: ProtectionService, player: str, clock: FixedClock
) -> None:
    protection.cool_off(player, LIMITS_POLICY.cool_off_hours, correlation_id="e")
    with pytest.raises(ExcludedFromBonuses):
        wallet.grant_bonus(player, "promo-1", eur(500), correlation_id="c")

    clock.advance(timedelta(hours=LIMITS_POLICY.cool_off_hours))
    wallet.grant_bonus(player, "promo-1", eur(500), correlation_id="c")

    assert wallet.balance(player).bonus == 500  # type: ignore[union-attr]


@pytest.mark.parametrize("status", [None, KycStatus.PENDING, KycStatus.REJECTED])
def test_a_bonus_needs_no_kyc(
    wallet: Wallet, protection: ProtectionService, status: KycStatus | None
) -> None:
    if status is not None:
        protection.set_kyc_status(PLAYER, status, correlation_id="kyc")

    receipt = wallet.grant_bonus(PLAYER, "promo-1", eur(500), correlation_id="c")

    assert receipt.balance is not None
    assert receipt.balance.bonus == 500


def test_a_replayed_bonus_grant_is_still_answered_after_self_exclusion(
    wallet: Wallet, protection: ProtectionService, player: str, publisher: InMemoryEventPublisher
) -> None:
    wallet.grant_bonus(player, "promo-1", eur(500), correlation_id="c")
    protection.self_exclude(player, LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")
    publisher.events.clear()

    replay = wallet.grant_bonus(player, "promo-1", eur(500), correlation_id="c")

    assert replay.replayed
    assert wallet.balance(player).bonus == 500  # type: ignore[union-attr]
    assert publisher.events == []


class ExcludedMeanwhile(InMemoryLedgerStore):
    """A store where the player self-excludes right after the grant's guard read the protection."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False

    def protection(self, player_id: str) -> PlayerProtection | None:
        current = super().protection(player_id)
        if self.armed:
            self.armed = False
            excluded = PlayerProtection(
                player_id, self_excluded_until=datetime(2031, 1, 1, tzinfo=UTC), version=1
            )
            self.save_protection(excluded)
        return current


def test_an_exclusion_that_starts_while_the_grant_is_written_refuses_it(
    publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    store = ExcludedMeanwhile()
    wallet = Wallet(
        store, clock, WALLET_SOURCE, protection=ProtectionService(store, publisher, clock, SOURCE)
    )
    store.armed = True

    with pytest.raises(ExcludedFromBonuses):
        wallet.grant_bonus(PLAYER, "promo-1", eur(500), correlation_id="c")

    assert store.armed is False  # the guard read the protection before the exclusion was stored
    assert store.entry(PLAYER, IdScope.SYSTEM, "promo-1") is None
    assert store.balance(PLAYER) is None
    assert publisher.events == []
