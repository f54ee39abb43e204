"""Wallet rules (DESIGN §5) against the in-memory ledger: idempotency, fail-closed bets, rollbacks."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.errors import (
    BetAlreadyRolledBack,
    Conflict,
    CurrencyMismatch,
    InsufficientFunds,
    NotFound,
    TransactionConflict,
    ValidationFailed,
)
from {{ cookiecutter.package_name }}.domain.guard import TransactionGuard
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import (
    DEFAULT_ROUND_CAP_MULTIPLE,
    EXACT_BALANCE_ATTEMPTS,
    Balance,
    DuplicateTransaction,
    EntryKind,
    Funds,
    IdScope,
    LedgerEntry,
    NotInRound,
    Reconciliation,
    Round,
    RoundCapExceeded,
    RoundClosed,
    RoundHasWins,
    SessionRequired,
    Wallet,
    WalletReceipt,
    WalletSnapshot,
    round_cap_multiple,
)

SOURCE = "{{ cookiecutter.package_name }}.wallet"
PLAYER = "player-1"
OTHER_PLAYER = "player-2"


def eur(amount: int) -> Money:
    return Money.of(amount, "EUR")


@pytest.fixture
def ledger(publisher: InMemoryEventPublisher) -> InMemoryLedgerStore:
    # Committed entries' events reach the publisher, as the stream publisher carries them to the bus.
    return InMemoryLedgerStore(relay=publisher)


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, clock: FixedClock) -> Wallet:
    # The wallet's own rules, through its guard port's default (no player protection); the same tests
    # run again with player protection on in test_wallet_with_responsible_gaming.py.
    return Wallet(ledger, clock, SOURCE)


@pytest.fixture
def funded(wallet: Wallet, publisher: InMemoryEventPublisher) -> Wallet:
    """A wallet whose player holds 100.00 EUR; the deposit's event is cleared."""
    wallet.deposit(PLAYER, "dep-1", eur(10_000), correlation_id="corr-dep")
    publisher.events.clear()
    return wallet


def cash(wallet: Wallet, player_id: str = PLAYER) -> int:
    balance = wallet.balance(player_id)
    return 0 if balance is None else balance.cash


def bonus(wallet: Wallet, player_id: str = PLAYER) -> int:
    balance = wallet.balance(player_id)
    return 0 if balance is None else balance.bonus


def event_names(publisher: InMemoryEventPublisher) -> list[str]:
    return [event.name for event in publisher.events]


def test_deposit_opens_the_wallet_and_announces_the_funds(
    wallet: Wallet, publisher: InMemoryEventPublisher
) -> None:
    receipt = wallet.deposit(PLAYER, "dep-1", eur(2_500), correlation_id="corr-1")

    assert receipt == WalletReceipt(
        "dep-1", EntryKind.DEPOSIT, 2_500, "EUR", Balance(PLAYER, "EUR", cash=2_500), replayed=False
    )
    [event] = publisher.events
    assert (event.name, event.source, event.correlation_id) == ("FundsDeposited", SOURCE, "corr-1")
    assert event.detail == {
        "player_id": PLAYER,
        "transaction_id": "dep-1",
        "amount": 2_500,
        "currency": "EUR",
        "funds": "cash",
    }


def test_replayed_deposit_credits_once(wallet: Wallet, publisher: InMemoryEventPublisher) -> None:
    wallet.deposit(PLAYER, "dep-1", eur(2_500), correlation_id="corr-1")
    replay = wallet.deposit(PLAYER, "dep-1", eur(2_500), correlation_id="corr-2")

    assert replay.replayed
    assert cash(wallet) == 2_500
    assert event_names(publisher) == ["FundsDeposited"]


def test_bet_takes_the_stake_and_announces_it_with_its_session(
    funded: Wallet, publisher: InMemoryEventPublisher
) -> None:
    receipt = funded.place_bet(PLAYER, "bet-1", eur(300), correlation_id="corr-bet", session_id="sess-1")

    assert (receipt.kind, receipt.amount, receipt.replayed) == (EntryKind.BET, 300, False)
    assert receipt.balance == Balance(PLAYER, "EUR", cash=9_700)
    [event] = publisher.events
    assert event.name == "BetPlaced"
    assert event.correlation_id == "corr-bet"
    assert event.detail == {
        "player_id": PLAYER,
        "transaction_id": "bet-1",
        "amount": 300,
        "currency": "EUR",
        "funds": "cash",
        "round_id": "bet-1",
        "session_id": "sess-1",
    }


def test_replayed_bet_returns_original_result(funded: Wallet, publisher: InMemoryEventPublisher) -> None:
    first = funded.place_bet(PLAYER, "bet-1", eur(300), correlation_id="corr-1")
    replay = funded.place_bet(PLAYER, "bet-1", eur(300), correlation_id="corr-2")

    assert replay.replayed
    assert (replay.transaction_id, replay.kind, replay.amount, replay.currency) == (
        first.transaction_id,
        first.kind,
        first.amount,
        first.currency,
    )
    assert cash(funded) == 9_700
    assert event_names(publisher) == ["BetPlaced"]


def test_another_players_bet_id_never_blocks_this_players_bet(
    funded: Wallet, publisher: InMemoryEventPublisher
) -> None:
    funded.deposit(OTHER_PLAYER, "dep-other", eur(1_000), correlation_id="c")
    funded.place_bet(OTHER_PLAYER, "bet-1", eur(100), correlation_id="corr-other")

    mine = funded.place_bet(PLAYER, "bet-1", eur(300), correlation_id="corr-1")

    assert not mine.replayed
    assert cash(funded) == 9_700


def test_a_bet_id_never_takes_a_deposit_id_of_the_same_player(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "dep-later", eur(300), correlation_id="corr-1")

    deposit = funded.deposit(PLAYER, "dep-later", eur(500), correlation_id="checkout")

    assert not deposit.replayed
    assert cash(funded) == 10_200


def test_a_bet_id_never_takes_an_id_the_backend_makes_for_a_bonus(funded: Wallet) -> None:
    funded.place_bet(PLAYER, f"promo:welcome-bonus:{PLAYER}", eur(300), correlation_id="corr-1")

    grant = funded.grant_bonus(PLAYER, f"promo:welcome-bonus:{PLAYER}", eur(200), correlation_id="promo")

    assert not grant.replayed
    assert grant.balance is not None
    assert grant.balance.bonus == 200


@pytest.mark.parametrize(
    ("player_id", "money"),
    [
        pytest.param(PLAYER, Money.of(301, "EUR"), id="another-amount"),
        pytest.param(PLAYER, Money.of(300, "GBP"), id="another-currency"),
    ],
)
def test_reused_transaction_id_with_another_payload_is_a_conflict(
    funded: Wallet, publisher: InMemoryEventPublisher, player_id: str, money: Money
) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(300), correlation_id="corr-1")

    with pytest.raises(TransactionConflict) as refused:
        funded.place_bet(player_id, "bet-1", money, correlation_id="corr-2")

    assert refused.value.field == "transaction_id"
    assert cash(funded) == 9_700
    assert event_names(publisher) == ["BetPlaced"]


def test_bet_never_takes_balance_below_zero(funded: Wallet, publisher: InMemoryEventPublisher) -> None:
    with pytest.raises(InsufficientFunds):
        funded.place_bet(PLAYER, "bet-1", eur(10_001), correlation_id="corr-1")

    assert cash(funded) == 10_000
    assert publisher.events == []
    # The refused bet left no ledger entry: the same id can be used once the player can afford it.
    assert funded.place_bet(PLAYER, "bet-1", eur(10_000), correlation_id="corr-2").balance == Balance(
        PLAYER, "EUR", cash=0
    )


def test_bet_without_a_wallet_is_refused(wallet: Wallet, publisher: InMemoryEventPublisher) -> None:
    with pytest.raises(InsufficientFunds):
        wallet.place_bet(PLAYER, "bet-1", eur(1), correlation_id="corr-1")

    assert wallet.balance(PLAYER) is None
    assert publisher.events == []


def test_bet_in_another_currency_is_refused(funded: Wallet, publisher: InMemoryEventPublisher) -> None:
    with pytest.raises(CurrencyMismatch):
        funded.place_bet(PLAYER, "bet-1", Money.of(100, "GBP"), correlation_id="corr-1")

    assert cash(funded) == 10_000
    assert publisher.events == []


@pytest.mark.parametrize("amount", [0, -1, 10**13])
def test_money_built_by_hand_is_still_validated(funded: Wallet, amount: int) -> None:
    with pytest.raises(ValidationFailed) as refused:
        funded.place_bet(PLAYER, "bet-1", Money(amount, "EUR"), correlation_id="corr-1")

    assert refused.value.field == "amount"
    assert cash(funded) == 10_000


def test_concurrent_bets_never_overdraw(funded: Wallet) -> None:
    accepted: list[str] = []
    refused: list[str] = []

    def bet(number: int) -> None:
        try:
            funded.place_bet(PLAYER, f"bet-{number}", eur(1_000), correlation_id=f"corr-{number}")
            accepted.append(f"bet-{number}")
        except InsufficientFunds:
            refused.append(f"bet-{number}")

    threads = [threading.Thread(target=bet, args=(number,)) for number in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (len(accepted), len(refused)) == (10, 15)
    assert cash(funded) == 0
    assert funded.reconcile(PLAYER).balanced


def test_win_is_paid_even_when_the_balance_is_empty(
    funded: Wallet, publisher: InMemoryEventPublisher
) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(10_000), correlation_id="corr-1")

    receipt = funded.settle_win(
        PLAYER, "win-1", "bet-1", eur(25_000), correlation_id="corr-2", session_id="s-1"
    )

    assert receipt.balance == Balance(PLAYER, "EUR", cash=25_000)
    assert event_names(publisher) == ["BetPlaced", "BetSettled"]
    assert publisher.events[-1].detail == {
        "player_id": PLAYER,
        "transaction_id": "win-1",
        "amount": 25_000,
        "currency": "EUR",
        "funds": "cash",
        "bet_transaction_id": "bet-1",
        "round_id": "bet-1",
        "session_id": "s-1",
    }


def test_replayed_win_pays_once(funded: Wallet, publisher: InMemoryEventPublisher) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(500), correlation_id="corr-1")
    funded.settle_win(PLAYER, "win-1", "bet-1", eur(1_500), correlation_id="corr-2")

    replay = funded.settle_win(PLAYER, "win-1", "bet-1", eur(1_500), correlation_id="corr-3")

    assert replay.replayed
    assert cash(funded) == 11_000
    assert event_names(publisher) == ["BetPlaced", "BetSettled"]


def test_win_on_another_bet_with_a_used_id_is_a_conflict(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(500), correlation_id="corr-1")
    funded.place_bet(PLAYER, "bet-2", eur(500), correlation_id="corr-2")
    funded.settle_win(PLAYER, "win-1", "bet-1", eur(1_500), correlation_id="corr-3")

    with pytest.raises(TransactionConflict):
        funded.settle_win(PLAYER, "win-1", "bet-2", eur(1_500), correlation_id="corr-4")


@pytest.mark.parametrize(
    ("player_id", "bet_id"),
    [
        pytest.param(PLAYER, "no-such-bet", id="unknown-bet"),
        pytest.param(PLAYER, "dep-1", id="not-a-bet"),
        pytest.param(OTHER_PLAYER, "bet-1", id="another-players-bet"),
    ],
)
def test_win_needs_a_bet_of_the_player(funded: Wallet, player_id: str, bet_id: str) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(500), correlation_id="corr-1")

    with pytest.raises(NotFound) as refused:
        funded.settle_win(player_id, "win-1", bet_id, eur(1_000), correlation_id="corr-2")

    assert refused.value.field == "bet_transaction_id"
    assert cash(funded) == 9_500


def test_win_is_paid_in_the_currency_of_its_bet(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(500), correlation_id="corr-1")

    with pytest.raises(CurrencyMismatch):
        funded.settle_win(PLAYER, "win-1", "bet-1", Money.of(1_000, "GBP"), correlation_id="corr-2")


def test_win_on_a_rolled_back_bet_is_refused(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(500), correlation_id="corr-1")
    funded.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="corr-2")

    with pytest.raises(BetAlreadyRolledBack):
        funded.settle_win(PLAYER, "win-1", "bet-1", eur(1_000), correlation_id="corr-3")

    assert cash(funded) == 10_000


def test_rollback_gives_the_stake_back(funded: Wallet, publisher: InMemoryEventPublisher) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(10_000), correlation_id="corr-1")

    receipt = funded.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="corr-2", session_id="s-1")

    assert (receipt.kind, receipt.amount, receipt.currency) == (EntryKind.ROLLBACK, 10_000, "EUR")
    assert receipt.balance == Balance(PLAYER, "EUR", cash=10_000)
    assert event_names(publisher) == ["BetPlaced", "BetRolledBack"]
    assert publisher.events[-1].detail["bet_transaction_id"] == "bet-1"
    assert publisher.events[-1].correlation_id == "corr-2"


def test_replayed_rollback_returns_original_result(funded: Wallet, publisher: InMemoryEventPublisher) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(700), correlation_id="corr-1")
    first = funded.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="corr-2")

    replay = funded.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="corr-3")

    assert replay.replayed
    assert (replay.transaction_id, replay.amount) == (first.transaction_id, first.amount)
    assert cash(funded) == 10_000
    assert event_names(publisher) == ["BetPlaced", "BetRolledBack"]


def test_rollback_id_reused_for_another_bet_is_a_conflict(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(700), correlation_id="corr-1")
    funded.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="corr-2")

    with pytest.raises(TransactionConflict):
        funded.rollback_bet(PLAYER, "rb-1", "bet-2", correlation_id="corr-3")


def test_second_rollback_of_a_bet_under_another_id_is_refused(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(700), correlation_id="corr-1")
    funded.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="corr-2")

    with pytest.raises(BetAlreadyRolledBack):
        funded.rollback_bet(PLAYER, "rb-2", "bet-1", correlation_id="corr-3")

    assert cash(funded) == 10_000


def test_rollback_of_unknown_bet_blocks_late_bet(funded: Wallet, publisher: InMemoryEventPublisher) -> None:
    receipt = funded.rollback_bet(PLAYER, "rb-1", "bet-late", correlation_id="corr-1")

    assert (receipt.kind, receipt.amount, receipt.replayed) == (EntryKind.ROLLBACK, 0, False)
    assert receipt.balance == Balance(PLAYER, "EUR", cash=10_000)
    with pytest.raises(BetAlreadyRolledBack):
        funded.place_bet(PLAYER, "bet-late", eur(500), correlation_id="corr-2")
    assert cash(funded) == 10_000
    assert event_names(publisher) == ["BetRolledBack"]
    # The rollback itself stays idempotent.
    assert funded.rollback_bet(PLAYER, "rb-1", "bet-late", correlation_id="corr-3").replayed


def test_rollback_of_unknown_bet_works_without_a_wallet(wallet: Wallet) -> None:
    receipt = wallet.rollback_bet(PLAYER, "rb-1", "bet-late", correlation_id="corr-1")

    assert (receipt.amount, receipt.balance) == (0, None)
    with pytest.raises(BetAlreadyRolledBack):
        wallet.place_bet(PLAYER, "bet-late", eur(500), correlation_id="corr-2")


def test_only_bets_can_be_rolled_back(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(500), correlation_id="corr-1")
    funded.settle_win(PLAYER, "win-1", "bet-1", eur(900), correlation_id="corr-2")

    with pytest.raises(Conflict) as refused:
        funded.rollback_bet(PLAYER, "rb-1", "win-1", correlation_id="corr-3")

    assert refused.value.field == "bet_transaction_id"
    assert cash(funded) == 10_400


def test_a_rollback_naming_another_players_bet_never_touches_it(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(500), correlation_id="corr-1")

    # The other player has no bet-1: their rollback only refuses a late bet-1 of their own.
    receipt = funded.rollback_bet(OTHER_PLAYER, "rb-1", "bet-1", correlation_id="corr-2")

    assert receipt.amount == 0
    assert cash(funded) == 9_500
    assert funded.reconcile(PLAYER).balanced


def test_rollback_retries_as_known_bet_when_the_bet_arrives_meanwhile(
    publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    class BetArrivesDuringTombstone(InMemoryLedgerStore):
        """The late bet lands between the rollback's read and its tombstone write."""

        def tombstone(self, rollback: LedgerEntry, tombstone: LedgerEntry) -> None:
            late_wallet.place_bet(PLAYER, tombstone.transaction_id, eur(400), correlation_id="corr-late")
            super().tombstone(rollback, tombstone)

    ledger = BetArrivesDuringTombstone()
    late_wallet = Wallet(ledger, clock, SOURCE)
    late_wallet.deposit(PLAYER, "dep-1", eur(1_000), correlation_id="corr-1")

    receipt = late_wallet.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="corr-2")

    assert (receipt.amount, receipt.balance) == (400, Balance(PLAYER, "EUR", cash=1_000))
    bet = ledger.entry(PLAYER, IdScope.GAME, "bet-1")
    assert bet is not None
    assert bet.reversed_by == "rb-1"
    assert late_wallet.reconcile(PLAYER).balanced


def test_duplicate_from_the_store_after_a_race_is_answered_as_a_replay(
    publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    class RetryLandsFirst(InMemoryLedgerStore):
        """A concurrent retry of the same deposit writes it between our read and our write."""

        def credit(
            self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
        ) -> None:
            first = self.entry(entry.player_id, entry.kind.scope, entry.transaction_id) is None
            if first and entry.transaction_id == "dep-1":
                super().credit(entry, guard)
                raise DuplicateTransaction(entry.transaction_id)
            super().credit(entry, guard, at_version)

    racing_wallet = Wallet(RetryLandsFirst(relay=publisher), clock, SOURCE)

    receipt = racing_wallet.deposit(PLAYER, "dep-1", eur(1_000), correlation_id="corr-1")

    assert receipt.replayed
    assert cash(racing_wallet) == 1_000
    # Once: by the write that landed first; the answered replay adds nothing.
    assert [event.name for event in publisher.events] == ["FundsDeposited"]


def test_reconcile_matches_ledger_and_balance(funded: Wallet, clock: FixedClock) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(1_000), correlation_id="c")
    clock.advance(timedelta(seconds=1))
    funded.settle_win(PLAYER, "win-1", "bet-1", eur(2_500), correlation_id="c")
    funded.place_bet(PLAYER, "bet-2", eur(300), correlation_id="c")
    funded.rollback_bet(PLAYER, "rb-2", "bet-2", correlation_id="c")
    funded.rollback_bet(PLAYER, "rb-3", "bet-never", correlation_id="c")

    result = funded.reconcile(PLAYER)

    assert result.balanced
    assert (result.ledger_cash, result.balance_cash) == (11_500, 11_500)


def test_reconcile_reports_a_balance_that_drifted_from_the_ledger(
    publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    class DriftedBalance(InMemoryLedgerStore):
        def balance(self, player_id: str) -> Balance | None:
            stored = super().balance(player_id)
            return None if stored is None else Balance(player_id, stored.currency, cash=stored.cash + 1)

    drifted = Wallet(DriftedBalance(relay=publisher), clock, SOURCE)
    drifted.deposit(PLAYER, "dep-1", eur(1_000), correlation_id="c")

    result = drifted.reconcile(PLAYER)

    assert not result.balanced
    assert (result.ledger_cash, result.balance_cash) == (1_000, 1_001)


@pytest.fixture
def with_bonus(funded: Wallet, publisher: InMemoryEventPublisher) -> Wallet:
    """A wallet holding 100.00 EUR cash and 5.00 EUR bonus; the grant's event is cleared."""
    funded.grant_bonus(PLAYER, "grant-1", eur(500), correlation_id="corr-grant")
    publisher.events.clear()
    return funded


def test_bonus_grant_credits_bonus_and_announces_it(
    wallet: Wallet, publisher: InMemoryEventPublisher
) -> None:
    receipt = wallet.grant_bonus(PLAYER, "grant-1", eur(500), correlation_id="corr-1")

    assert receipt == WalletReceipt(
        "grant-1", EntryKind.BONUS_GRANT, 500, "EUR", Balance(PLAYER, "EUR", cash=0, bonus=500)
    )
    [event] = publisher.events
    assert (event.name, event.source, event.correlation_id) == ("BonusGranted", SOURCE, "corr-1")
    assert event.detail == {
        "player_id": PLAYER,
        "transaction_id": "grant-1",
        "amount": 500,
        "currency": "EUR",
        "funds": "bonus",
    }


def test_replayed_bonus_grant_credits_once(with_bonus: Wallet, publisher: InMemoryEventPublisher) -> None:
    replay = with_bonus.grant_bonus(PLAYER, "grant-1", eur(500), correlation_id="corr-2")

    assert replay.replayed
    assert (replay.kind, replay.amount) == (EntryKind.BONUS_GRANT, 500)
    assert (cash(with_bonus), bonus(with_bonus)) == (10_000, 500)
    assert publisher.events == []


@pytest.mark.parametrize(
    ("player_id", "money"),
    [
        pytest.param(PLAYER, Money.of(501, "EUR"), id="another-amount"),
        pytest.param(PLAYER, Money.of(500, "GBP"), id="another-currency"),
    ],
)
def test_bonus_grant_id_reused_with_another_payload_is_a_conflict(
    with_bonus: Wallet, player_id: str, money: Money
) -> None:
    with pytest.raises(TransactionConflict) as refused:
        with_bonus.grant_bonus(player_id, "grant-1", money, correlation_id="corr-2")

    assert refused.value.field == "transaction_id"
    assert bonus(with_bonus) == 500
    assert with_bonus.balance(OTHER_PLAYER) is None


def test_bonus_grant_in_another_currency_is_refused(with_bonus: Wallet) -> None:
    with pytest.raises(CurrencyMismatch):
        with_bonus.grant_bonus(PLAYER, "grant-2", Money.of(500, "GBP"), correlation_id="corr-1")

    assert bonus(with_bonus) == 500


def test_bonus_bet_takes_bonus_and_leaves_cash(with_bonus: Wallet, publisher: InMemoryEventPublisher) -> None:
    receipt = with_bonus.place_bet(PLAYER, "bet-1", eur(200), correlation_id="corr-1", funds=Funds.BONUS)

    assert receipt.balance == Balance(PLAYER, "EUR", cash=10_000, bonus=300)
    [event] = publisher.events
    assert (event.name, event.detail["funds"]) == ("BetPlaced", "bonus")


def test_bonus_bet_is_refused_when_bonus_is_short_even_if_cash_is_plenty(
    with_bonus: Wallet, publisher: InMemoryEventPublisher
) -> None:
    with pytest.raises(InsufficientFunds):
        with_bonus.place_bet(PLAYER, "bet-1", eur(501), correlation_id="corr-1", funds=Funds.BONUS)

    assert (cash(with_bonus), bonus(with_bonus)) == (10_000, 500)
    assert publisher.events == []
    # The refused id is still free.
    retried = with_bonus.place_bet(PLAYER, "bet-1", eur(500), correlation_id="corr-2", funds=Funds.BONUS)
    assert not retried.replayed


def test_cash_bet_never_takes_bonus(with_bonus: Wallet) -> None:
    with pytest.raises(InsufficientFunds):
        with_bonus.place_bet(PLAYER, "bet-1", eur(10_001), correlation_id="corr-1")

    assert (cash(with_bonus), bonus(with_bonus)) == (10_000, 500)


def test_bet_id_reused_with_other_funds_is_a_conflict(with_bonus: Wallet) -> None:
    with_bonus.place_bet(PLAYER, "bet-1", eur(100), correlation_id="corr-1")

    with pytest.raises(TransactionConflict):
        with_bonus.place_bet(PLAYER, "bet-1", eur(100), correlation_id="corr-2", funds=Funds.BONUS)

    assert (cash(with_bonus), bonus(with_bonus)) == (9_900, 500)


def test_replayed_bonus_bet_takes_bonus_once(with_bonus: Wallet) -> None:
    with_bonus.place_bet(PLAYER, "bet-1", eur(200), correlation_id="corr-1", funds=Funds.BONUS)

    replay = with_bonus.place_bet(PLAYER, "bet-1", eur(200), correlation_id="corr-2", funds=Funds.BONUS)

    assert replay.replayed
    assert bonus(with_bonus) == 300


def test_win_of_a_bonus_bet_credits_bonus(with_bonus: Wallet, publisher: InMemoryEventPublisher) -> None:
    with_bonus.place_bet(PLAYER, "bet-1", eur(500), correlation_id="corr-1", funds=Funds.BONUS)

    receipt = with_bonus.settle_win(PLAYER, "win-1", "bet-1", eur(1_200), correlation_id="corr-2")

    assert receipt.balance == Balance(PLAYER, "EUR", cash=10_000, bonus=1_200)
    assert publisher.events[-1].detail["funds"] == "bonus"
    assert with_bonus.settle_win(PLAYER, "win-1", "bet-1", eur(1_200), correlation_id="corr-3").replayed
    assert bonus(with_bonus) == 1_200


def test_rollback_of_a_bonus_bet_returns_the_stake_to_bonus(
    with_bonus: Wallet, publisher: InMemoryEventPublisher
) -> None:
    with_bonus.place_bet(PLAYER, "bet-1", eur(400), correlation_id="corr-1", funds=Funds.BONUS)

    receipt = with_bonus.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="corr-2")

    assert receipt.balance == Balance(PLAYER, "EUR", cash=10_000, bonus=500)
    assert publisher.events[-1].detail["funds"] == "bonus"
    assert with_bonus.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="corr-3").replayed
    assert bonus(with_bonus) == 500


def test_reconcile_checks_cash_and_bonus_separately(with_bonus: Wallet, clock: FixedClock) -> None:
    with_bonus.place_bet(PLAYER, "bet-1", eur(300), correlation_id="c", funds=Funds.BONUS)
    clock.advance(timedelta(seconds=1))
    with_bonus.settle_win(PLAYER, "win-1", "bet-1", eur(1_000), correlation_id="c")
    with_bonus.place_bet(PLAYER, "bet-2", eur(100), correlation_id="c", funds=Funds.BONUS)
    with_bonus.rollback_bet(PLAYER, "rb-2", "bet-2", correlation_id="c")
    with_bonus.place_bet(PLAYER, "bet-3", eur(2_000), correlation_id="c")

    assert with_bonus.reconcile(PLAYER) == Reconciliation(
        PLAYER, ledger_cash=8_000, balance_cash=8_000, ledger_bonus=1_200, balance_bonus=1_200
    )
    assert with_bonus.reconcile(PLAYER).balanced


def test_reconcile_reports_a_bonus_balance_that_drifted(
    publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    class DriftedBonus(InMemoryLedgerStore):
        def balance(self, player_id: str) -> Balance | None:
            stored = super().balance(player_id)
            return None if stored is None else replace(stored, bonus=stored.bonus - 1)

    drifted = Wallet(DriftedBonus(relay=publisher), clock, SOURCE)
    drifted.deposit(PLAYER, "dep-1", eur(1_000), correlation_id="c")
    drifted.grant_bonus(PLAYER, "grant-1", eur(300), correlation_id="c")

    result = drifted.reconcile(PLAYER)

    assert not result.balanced
    assert (result.ledger_cash, result.balance_cash) == (1_000, 1_000)
    assert (result.ledger_bonus, result.balance_bonus) == (300, 299)


# Withdrawals: cash paid out to the player.


def test_withdrawal_pays_out_cash_and_announces_it(funded: Wallet, publisher: InMemoryEventPublisher) -> None:
    receipt = funded.withdraw(PLAYER, "wd-1", eur(2_500), correlation_id="corr-wd")

    assert receipt == WalletReceipt(
        "wd-1", EntryKind.WITHDRAWAL, 2_500, "EUR", Balance(PLAYER, "EUR", cash=7_500), replayed=False
    )
    [event] = publisher.events
    assert (event.name, event.source, event.correlation_id) == ("FundsWithdrawn", SOURCE, "corr-wd")
    assert event.detail == {
        "player_id": PLAYER,
        "transaction_id": "wd-1",
        "amount": 2_500,
        "currency": "EUR",
        "funds": "cash",
    }


def test_replayed_withdrawal_returns_original_result(
    funded: Wallet, publisher: InMemoryEventPublisher
) -> None:
    first = funded.withdraw(PLAYER, "wd-1", eur(2_500), correlation_id="corr-1")
    replay = funded.withdraw(PLAYER, "wd-1", eur(2_500), correlation_id="corr-2")

    assert replay.replayed
    assert (replay.transaction_id, replay.kind, replay.amount) == (first.transaction_id, first.kind, 2_500)
    assert cash(funded) == 7_500
    assert event_names(publisher) == ["FundsWithdrawn"]


@pytest.mark.parametrize(
    ("transaction_id", "amount"),
    [("wd-1", 2_501), ("dep-1", 2_500)],
    ids=["another-amount", "a-deposits-id"],
)
def test_withdrawal_id_reused_with_another_payload_is_a_conflict(
    funded: Wallet, publisher: InMemoryEventPublisher, transaction_id: str, amount: int
) -> None:
    funded.withdraw(PLAYER, "wd-1", eur(2_500), correlation_id="c")

    with pytest.raises(TransactionConflict):
        funded.withdraw(PLAYER, transaction_id, eur(amount), correlation_id="c")

    assert cash(funded) == 7_500
    assert event_names(publisher) == ["FundsWithdrawn"]


def test_withdrawal_never_takes_cash_below_zero(funded: Wallet, publisher: InMemoryEventPublisher) -> None:
    with pytest.raises(InsufficientFunds):
        funded.withdraw(PLAYER, "wd-1", eur(10_001), correlation_id="c")
    funded.withdraw(PLAYER, "wd-2", eur(10_000), correlation_id="c")

    assert cash(funded) == 0
    assert funded.balance(PLAYER) == Balance(PLAYER, "EUR", cash=0)
    assert event_names(publisher) == ["FundsWithdrawn"]
    assert funded.reconcile(PLAYER).balanced


def test_withdrawal_never_pays_out_bonus_money(with_bonus: Wallet) -> None:
    with_bonus.place_bet(PLAYER, "bet-1", eur(10_000), correlation_id="c")

    with pytest.raises(InsufficientFunds):
        with_bonus.withdraw(PLAYER, "wd-1", eur(1), correlation_id="c")

    assert with_bonus.balance(PLAYER) == Balance(PLAYER, "EUR", cash=0, bonus=500)


def test_withdrawal_without_a_wallet_or_in_another_currency_is_refused(
    wallet: Wallet, funded: Wallet, publisher: InMemoryEventPublisher
) -> None:
    with pytest.raises(InsufficientFunds):
        wallet.withdraw(OTHER_PLAYER, "wd-1", eur(1), correlation_id="c")
    with pytest.raises(CurrencyMismatch):
        funded.withdraw(PLAYER, "wd-2", Money.of(100, "GBP"), correlation_id="c")

    assert wallet.balance(OTHER_PLAYER) is None
    assert cash(funded) == 10_000
    assert publisher.events == []


def test_reconcile_counts_withdrawals_against_cash(funded: Wallet, clock: FixedClock) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(1_000), correlation_id="c")
    clock.advance(timedelta(seconds=1))
    funded.withdraw(PLAYER, "wd-1", eur(4_000), correlation_id="c")
    funded.settle_win(PLAYER, "win-1", "bet-1", eur(500), correlation_id="c")

    assert funded.reconcile(PLAYER) == Reconciliation(PLAYER, ledger_cash=5_500, balance_cash=5_500)


# --- rounds -------------------------------------------------------------------------------------------


def test_a_round_pays_at_most_its_stakes_times_the_cap_multiple(
    ledger: InMemoryLedgerStore, clock: FixedClock
) -> None:
    wallet = Wallet(ledger, clock, SOURCE, round_cap_multiple=5)
    wallet.deposit(PLAYER, "dep-1", eur(1_000), correlation_id="c")
    wallet.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c", round_id="r-1")
    wallet.place_bet(PLAYER, "bet-2", eur(100), correlation_id="c", round_id="r-1")

    wallet.settle_win(PLAYER, "win-1", "bet-1", eur(600), correlation_id="c", round_id="r-1")
    with pytest.raises(RoundCapExceeded):
        wallet.settle_win(PLAYER, "win-2", "bet-2", eur(401), correlation_id="c", round_id="r-1")
    wallet.settle_win(PLAYER, "win-3", "bet-2", eur(400), correlation_id="c", round_id="r-1")

    assert ledger.round(PLAYER, "r-1") == Round(PLAYER, "r-1", stakes=200, paid=1_000, payable=0)
    assert cash(wallet) == 1_800
    assert wallet.reconcile(PLAYER).balanced


def test_the_default_cap_refuses_a_huge_win_on_a_small_stake(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c", round_id="r-1")

    with pytest.raises(RoundCapExceeded):
        funded.settle_win(
            PLAYER, "win-1", "bet-1", eur(100 * DEFAULT_ROUND_CAP_MULTIPLE + 1), correlation_id="c"
        )

    assert cash(funded) == 9_900


@pytest.mark.parametrize("multiple", [0, -1, True, 10**13])
def test_a_cap_multiple_out_of_range_is_refused(
    ledger: InMemoryLedgerStore, clock: FixedClock, multiple: int
) -> None:
    with pytest.raises(ValueError, match="round_cap_multiple"):
        Wallet(ledger, clock, SOURCE, round_cap_multiple=multiple)


def test_a_final_win_closes_the_round_and_replays_as_itself(
    funded: Wallet, publisher: InMemoryEventPublisher
) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c", round_id="r-1")
    funded.settle_win(PLAYER, "win-1", "bet-1", eur(50), correlation_id="c", round_id="r-1", close_round=True)

    replay = funded.settle_win(
        PLAYER, "win-1", "bet-1", eur(50), correlation_id="c", round_id="r-1", close_round=True
    )
    with pytest.raises(RoundClosed):
        funded.settle_win(PLAYER, "win-2", "bet-1", eur(50), correlation_id="c", round_id="r-1")
    with pytest.raises(RoundClosed):
        funded.place_bet(PLAYER, "bet-2", eur(100), correlation_id="c", round_id="r-1")

    assert replay.replayed
    assert cash(funded) == 9_950
    assert publisher.events[-1].detail["round_closed"] is True


def test_a_round_that_pays_nothing_closes_with_a_win_of_zero(
    funded: Wallet, ledger: InMemoryLedgerStore
) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c", round_id="r-1")

    closing = funded.settle_win(
        PLAYER, "win-0", "bet-1", Money(0, "EUR"), correlation_id="c", round_id="r-1", close_round=True
    )
    with pytest.raises(ValidationFailed):
        funded.settle_win(PLAYER, "win-1", "bet-1", Money(0, "EUR"), correlation_id="c", round_id="r-1")

    assert (closing.amount, closing.replayed) == (0, False)
    closed = ledger.round(PLAYER, "r-1")
    assert closed is not None
    assert closed.closed
    assert cash(funded) == 9_900
    assert funded.reconcile(PLAYER).balanced


def test_a_rollback_of_a_bet_whose_round_paid_is_refused_and_replays_stay_answers(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c", round_id="r-1")
    funded.place_bet(PLAYER, "bet-2", eur(100), correlation_id="c", round_id="r-2")
    funded.rollback_bet(PLAYER, "rb-2", "bet-2", correlation_id="c", round_id="r-2")
    funded.settle_win(PLAYER, "win-1", "bet-1", eur(300), correlation_id="c", round_id="r-1")

    with pytest.raises(RoundHasWins):
        funded.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="c", round_id="r-1")
    replay = funded.rollback_bet(PLAYER, "rb-2", "bet-2", correlation_id="c", round_id="r-2")

    assert replay.replayed
    assert cash(funded) == 10_200
    assert funded.reconcile(PLAYER).balanced


def test_a_win_or_rollback_naming_another_round_is_refused(funded: Wallet) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c", round_id="r-1")
    funded.place_bet(PLAYER, "bet-2", eur(100), correlation_id="c", round_id="r-2")

    with pytest.raises(NotInRound):
        funded.settle_win(PLAYER, "win-1", "bet-1", eur(50), correlation_id="c", round_id="r-2")
    with pytest.raises(NotInRound):
        funded.rollback_bet(PLAYER, "rb-1", "bet-1", correlation_id="c", round_id="r-2")

    assert cash(funded) == 9_800


def test_a_bet_without_a_round_is_a_round_of_its_own(funded: Wallet, ledger: InMemoryLedgerStore) -> None:
    funded.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c")

    funded.settle_win(PLAYER, "win-1", "bet-1", eur(50), correlation_id="c")

    assert ledger.round(PLAYER, "bet-1") == Round(
        PLAYER, "bet-1", stakes=100, paid=50, payable=100 * DEFAULT_ROUND_CAP_MULTIPLE - 50
    )


@pytest.mark.parametrize(
    ("setting", "multiple"),
    [(None, DEFAULT_ROUND_CAP_MULTIPLE), (" ", DEFAULT_ROUND_CAP_MULTIPLE), ("250", 250)],
)
def test_the_cap_multiple_setting_reads_a_whole_number(setting: str | None, multiple: int) -> None:
    assert round_cap_multiple(setting) == multiple


@pytest.mark.parametrize("setting", ["0", "-5", "1.5", "ten", "10000000000001"])
def test_a_bad_cap_multiple_setting_is_refused_naming_it(setting: str) -> None:
    with pytest.raises(ValueError, match="ROUND_CAP_MULTIPLE"):
        round_cap_multiple(setting)


# --- a bet in the player's active session (the jurisdiction's rule) ----------------------------------


class Sessions:
    """Sessions as the rule sees them: id -> (player, active)."""

    def __init__(self, **sessions: tuple[str, bool]) -> None:
        self.sessions = sessions

    def is_active_for(self, session_id: str, player_id: str) -> bool:
        return self.sessions.get(session_id) == (player_id, True)


@pytest.fixture
def sessions() -> Sessions:
    """The player's s-live is active, s-ended is not, s-theirs is another player's."""
    return Sessions(
        **{"s-live": (PLAYER, True), "s-ended": (PLAYER, False), "s-theirs": (OTHER_PLAYER, True)}
    )


@pytest.fixture
def in_session(clock: FixedClock, publisher: InMemoryEventPublisher, sessions: Sessions) -> Wallet:
    """A wallet whose jurisdiction asks for the player's active session."""
    wallet = Wallet(
        InMemoryLedgerStore(relay=publisher, sessions=sessions), clock, SOURCE, bet_needs_session=True
    )
    wallet.deposit(PLAYER, "dep-1", eur(1_000), correlation_id="c")
    return wallet


@pytest.mark.parametrize("session_id", [None, "s-ended", "s-theirs", "s-unknown"])
def test_a_bet_outside_the_players_active_session_is_refused_and_writes_nothing(
    in_session: Wallet, publisher: InMemoryEventPublisher, session_id: str | None
) -> None:
    with pytest.raises(SessionRequired):
        in_session.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c", session_id=session_id)

    assert cash(in_session) == 1_000
    assert event_names(publisher) == ["FundsDeposited"]


def test_a_bet_in_the_players_active_session_is_taken_and_replays_after_it_ends(
    in_session: Wallet, sessions: Sessions
) -> None:
    in_session.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c", session_id="s-live")
    sessions.sessions["s-live"] = (PLAYER, False)

    replay = in_session.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c", session_id="s-live")

    assert replay.replayed
    assert cash(in_session) == 900


def test_a_store_without_sessions_refuses_a_bet_that_needs_one(clock: FixedClock) -> None:
    wallet = Wallet(InMemoryLedgerStore(), clock, SOURCE, bet_needs_session=True)
    wallet.deposit(PLAYER, "dep-1", eur(1_000), correlation_id="c")

    with pytest.raises(SessionRequired):
        wallet.place_bet(PLAYER, "bet-1", eur(100), correlation_id="c", session_id="s-live")

    assert cash(wallet) == 1_000


class ConcurrentDeposits(InMemoryLedgerStore):
    """Another request deposits 1.00 between the operation's read and each of its first `times` writes."""

    def __init__(self, relay: InMemoryEventPublisher, times: int) -> None:
        super().__init__(relay=relay)
        self.times = times
        self.reads: list[str] = []

    def snapshot(self, player_id: str, *args: Any, **kwargs: Any) -> WalletSnapshot:
        self.reads.append("snapshot")
        return super().snapshot(player_id, *args, **kwargs)

    def balance(self, player_id: str) -> Balance | None:
        self.reads.append("balance")
        return super().balance(player_id)

    def debit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        if self.times:
            self.times -= 1
            racing = f"dep-race-{self.times}"
            kept = {"round_id": None, "round_payable": 0, "events": ()}
            super().credit(replace(entry, transaction_id=racing, kind=EntryKind.DEPOSIT, amount=100, **kept))
        super().debit(entry, guard, at_version)


@pytest.mark.parametrize("lost", range(EXACT_BALANCE_ATTEMPTS + 2))
def test_a_bet_that_loses_the_race_for_the_balance_still_answers_the_balance_it_left(
    publisher: InMemoryEventPublisher, clock: FixedClock, lost: int
) -> None:
    ledger = ConcurrentDeposits(publisher, times=0)
    wallet = Wallet(ledger, clock, SOURCE)
    wallet.deposit(PLAYER, "dep-1", eur(10_000), correlation_id="c")
    ledger.times, ledger.reads = lost, []

    receipt = wallet.place_bet(PLAYER, "bet-1", eur(2_500), correlation_id="c")
    reads = list(ledger.reads)

    # Every concurrent deposit landed, the bet once; the answer is the balance right after the bet.
    left = Balance(PLAYER, "EUR", cash=10_000 + 100 * lost - 2_500)
    assert receipt.balance == left == ledger.balance(PLAYER)
    assert [entry.transaction_id for entry in ledger.entries(PLAYER)].count("bet-1") == 1
    # A lost race is written again at the version the refusal returned, with no read; past
    # EXACT_BALANCE_ATTEMPTS, without the version, and the balance is read after the write.
    exact = lost < EXACT_BALANCE_ATTEMPTS
    assert reads == (["snapshot"] if exact else ["snapshot", "balance"])
    assert wallet.reconcile(PLAYER).balanced
