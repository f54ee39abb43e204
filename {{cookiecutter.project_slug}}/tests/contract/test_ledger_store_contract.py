"""One suite for every LedgerStore: the cloud's adapter must behave exactly like the in-memory one.

`ledger` is the in-memory store, then the chosen cloud's (`real_ledger_store`, supplied by
tests/support/fixtures_<provider>_wallet.py on that cloud's local emulator). What only one cloud's store
does (its requests, its retries) is tested in that store's own file.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.errors import CurrencyMismatch, InsufficientFunds
from {{ cookiecutter.package_name }}.domain.wallet import (
    AlreadyReversed,
    Balance,
    BalanceMoved,
    DuplicateTransaction,
    EntryKind,
    Funds,
    IdScope,
    LedgerEntry,
    NotInRound,
    Round,
    RoundCapExceeded,
    RoundClosed,
    RoundHasWins,
    fingerprint,
)
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore

PLAYER = "player-1"
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", pytest.param("cloud", marks=pytest.mark.integration)])
def ledger(request: pytest.FixtureRequest) -> LedgerStore:
    if request.param == "memory":
        return InMemoryLedgerStore()
    store: LedgerStore = request.getfixturevalue("real_ledger_store")
    return store


def entry(
    transaction_id: str,
    kind: EntryKind,
    amount: int,
    *,
    currency: str = "EUR",
    player_id: str = PLAYER,
    seconds: float = 0,
    reference: str | None = None,
    funds: Funds = Funds.CASH,
) -> LedgerEntry:
    return LedgerEntry(
        transaction_id=transaction_id,
        player_id=player_id,
        kind=kind,
        amount=amount,
        currency=currency,
        fingerprint=fingerprint(kind, player_id, amount, currency, reference),
        created_at=START + timedelta(seconds=seconds),
        reference=reference,
        funds=funds,
    )


def deposit(transaction_id: str, amount: int, **kwargs: Any) -> LedgerEntry:
    return entry(transaction_id, EntryKind.DEPOSIT, amount, **kwargs)


def bet(transaction_id: str, amount: int, **kwargs: Any) -> LedgerEntry:
    return entry(transaction_id, EntryKind.BET, amount, **kwargs)


def withdrawal(transaction_id: str, amount: int, **kwargs: Any) -> LedgerEntry:
    return entry(transaction_id, EntryKind.WITHDRAWAL, amount, **kwargs)


def grant(transaction_id: str, amount: int, **kwargs: Any) -> LedgerEntry:
    return entry(transaction_id, EntryKind.BONUS_GRANT, amount, funds=Funds.BONUS, **kwargs)


def rollback_of(bet_entry: LedgerEntry, transaction_id: str) -> LedgerEntry:
    return entry(
        transaction_id,
        EntryKind.ROLLBACK,
        bet_entry.amount,
        seconds=60,
        reference=bet_entry.transaction_id,
        funds=bet_entry.funds,
    )


def unknown_bet_rollback(
    transaction_id: str, bet_id: str, *, currency: str = "EUR"
) -> tuple[LedgerEntry, LedgerEntry]:
    rollback = entry(transaction_id, EntryKind.ROLLBACK, 0, currency=currency, reference=bet_id)
    tombstone = entry(bet_id, EntryKind.TOMBSTONE, 0, currency=currency, reference=transaction_id)
    return rollback, tombstone


def cash(ledger: LedgerStore) -> int:
    balance = ledger.balance(PLAYER)
    return 0 if balance is None else balance.cash


def bonus(ledger: LedgerStore) -> int:
    balance = ledger.balance(PLAYER)
    return 0 if balance is None else balance.bonus


def ledger_sum(ledger: LedgerStore, funds: Funds = Funds.CASH) -> int:
    return sum(item.signed_amount for item in ledger.entries(PLAYER) if item.funds is funds)


def test_transaction_ids_are_scoped_per_player_and_per_caller(ledger: LedgerStore) -> None:
    ledger.credit(deposit("same-id", 500))
    ledger.credit(deposit("same-id", 700, player_id="player-2"))
    ledger.debit(bet("same-id", 100))
    ledger.credit(grant("same-id", 50))

    mine = ledger.entry(PLAYER, IdScope.PAYMENT, "same-id")
    theirs = ledger.entry("player-2", IdScope.PAYMENT, "same-id")
    my_bet = ledger.entry(PLAYER, IdScope.GAME, "same-id")
    my_grant = ledger.entry(PLAYER, IdScope.SYSTEM, "same-id")
    assert (mine and mine.amount, theirs and theirs.amount) == (500, 700)
    assert (my_bet and my_bet.kind, my_grant and my_grant.kind) == (EntryKind.BET, EntryKind.BONUS_GRANT)
    assert ledger.entry("player-3", IdScope.PAYMENT, "same-id") is None


def test_unknown_player_and_transaction_are_none(ledger: LedgerStore) -> None:
    assert ledger.balance(PLAYER) is None
    assert ledger.entry(PLAYER, IdScope.GAME, "tx-none") is None
    assert ledger.entries(PLAYER) == []


def test_deposit_opens_the_wallet_in_its_currency(ledger: LedgerStore) -> None:
    first = deposit("dep-1", 100)
    ledger.credit(first)
    ledger.credit(deposit("dep-2", 50, seconds=1))

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=150, bonus=0)
    assert ledger.entry(PLAYER, IdScope.PAYMENT, "dep-1") == first


def test_replayed_transaction_id_is_refused_and_moves_nothing(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))

    with pytest.raises(DuplicateTransaction) as replayed:
        ledger.credit(deposit("dep-1", 100))
    with pytest.raises(DuplicateTransaction):
        ledger.debit(withdrawal("dep-1", 10))  # the same caller's id, whatever the kind

    assert replayed.value.transaction_id == "dep-1"
    assert cash(ledger) == 100
    assert ledger.entry(PLAYER, IdScope.PAYMENT, "dep-1") == deposit("dep-1", 100)


def test_bet_takes_cash(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    placed = bet("bet-1", 30, seconds=1)

    ledger.debit(placed)

    assert cash(ledger) == 70
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-1") == placed


def test_bet_may_take_the_balance_to_exactly_zero(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))

    ledger.debit(bet("bet-1", 100, seconds=1))

    assert cash(ledger) == 0


def test_insufficient_funds_leaves_balance_and_ledger_unchanged(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))

    with pytest.raises(InsufficientFunds):
        ledger.debit(bet("bet-1", 101, seconds=1))

    assert cash(ledger) == 100
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-1") is None
    assert [item.transaction_id for item in ledger.entries(PLAYER)] == ["dep-1"]


def test_bet_without_a_wallet_is_insufficient_funds(ledger: LedgerStore) -> None:
    with pytest.raises(InsufficientFunds):
        ledger.debit(bet("bet-1", 1))

    assert ledger.balance(PLAYER) is None
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-1") is None


def test_replayed_bet_is_a_duplicate_even_when_funds_ran_out(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    ledger.debit(bet("bet-1", 100, seconds=1))

    with pytest.raises(DuplicateTransaction):
        ledger.debit(bet("bet-1", 100, seconds=1))

    assert cash(ledger) == 0


@pytest.mark.parametrize("amount", [10, 1_000], ids=["affordable", "unaffordable"])
def test_other_currency_is_refused_before_funds_are_checked(ledger: LedgerStore, amount: int) -> None:
    ledger.credit(deposit("dep-1", 100))

    with pytest.raises(CurrencyMismatch):
        ledger.debit(bet("bet-gbp", amount, currency="GBP", seconds=1))
    with pytest.raises(CurrencyMismatch):
        ledger.credit(deposit("dep-gbp", amount, currency="GBP", seconds=1))

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=100)
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-gbp") is None
    assert ledger.entry(PLAYER, IdScope.PAYMENT, "dep-gbp") is None


def test_rollback_gives_the_stake_back_and_marks_the_bet(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    placed = bet("bet-1", 40, seconds=1)
    ledger.debit(placed)
    rollback = rollback_of(placed, "rb-1")

    ledger.reverse(rollback, placed)

    assert cash(ledger) == 100
    assert ledger.entry(PLAYER, IdScope.GAME, "rb-1") == rollback
    stored = ledger.entry(PLAYER, IdScope.GAME, "bet-1")
    assert stored is not None
    assert stored.reversed_by == "rb-1"
    assert ledger_sum(ledger) == 100


def test_replayed_rollback_is_a_duplicate(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    placed = bet("bet-1", 40, seconds=1)
    ledger.debit(placed)
    ledger.reverse(rollback_of(placed, "rb-1"), placed)

    with pytest.raises(DuplicateTransaction) as replayed:
        ledger.reverse(rollback_of(placed, "rb-1"), placed)

    assert replayed.value.transaction_id == "rb-1"
    assert cash(ledger) == 100


def test_second_rollback_of_one_bet_is_already_reversed(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    placed = bet("bet-1", 40, seconds=1)
    ledger.debit(placed)
    ledger.reverse(rollback_of(placed, "rb-1"), placed)

    with pytest.raises(AlreadyReversed):
        ledger.reverse(rollback_of(placed, "rb-2"), placed)

    assert cash(ledger) == 100
    assert ledger.entry(PLAYER, IdScope.GAME, "rb-2") is None
    stored = ledger.entry(PLAYER, IdScope.GAME, "bet-1")
    assert stored is not None
    assert stored.reversed_by == "rb-1"


def test_win_of_a_rolled_back_bet_is_refused_and_moves_nothing(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    placed = bet("bet-1", 40, seconds=1)
    ledger.debit(placed)
    ledger.reverse(rollback_of(placed, "rb-1"), placed)

    # The win was checked against the bet before the rollback committed: the write must refuse it.
    with pytest.raises(AlreadyReversed):
        ledger.credit(entry("win-1", EntryKind.WIN, 500, seconds=2, reference="bet-1"))

    assert cash(ledger) == 100
    assert ledger.entry(PLAYER, IdScope.GAME, "win-1") is None


def test_win_of_a_standing_bet_is_credited(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    ledger.debit(bet("bet-1", 40, seconds=1))

    ledger.credit(entry("win-1", EntryKind.WIN, 500, seconds=2, reference="bet-1"))

    assert cash(ledger) == 560
    assert ledger_sum(ledger) == 560


# --- rounds: one record per game round, moved in the same write as the entry ----------------------


def round_bet(transaction_id: str, amount: int, round_id: str = "r-1", multiple: int = 10) -> LedgerEntry:
    return replace(bet(transaction_id, amount), round_id=round_id, round_payable=amount * multiple)


def round_win(
    transaction_id: str, bet_id: str, amount: int, round_id: str = "r-1", *, closes: bool = False
) -> LedgerEntry:
    won = entry(transaction_id, EntryKind.WIN, amount, seconds=30, reference=bet_id)
    return replace(won, round_id=round_id, closes_round=closes)


def round_rollback(bet_entry: LedgerEntry, transaction_id: str) -> LedgerEntry:
    return replace(
        rollback_of(bet_entry, transaction_id),
        round_id=bet_entry.round_id,
        round_payable=-bet_entry.round_payable,
    )


def test_bets_add_their_stakes_and_payable_to_their_round(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    ledger.debit(round_bet("bet-1", 100))
    ledger.debit(round_bet("bet-2", 50))
    ledger.debit(round_bet("bet-3", 10, round_id="r-2"))

    assert ledger.round(PLAYER, "r-1") == Round(PLAYER, "r-1", stakes=150, paid=0, payable=1_500)
    assert ledger.round(PLAYER, "r-2") == Round(PLAYER, "r-2", stakes=10, paid=0, payable=100)
    assert ledger.round("player-2", "r-1") is None
    stored = ledger.entry(PLAYER, IdScope.GAME, "bet-1")
    assert stored is not None
    assert (stored.round_id, stored.round_payable) == ("r-1", 1_000)


def test_wins_are_paid_within_the_rounds_headroom_only(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    ledger.debit(round_bet("bet-1", 100))
    ledger.credit(round_win("win-1", "bet-1", 600))

    with pytest.raises(RoundCapExceeded):
        ledger.credit(round_win("win-2", "bet-1", 401))
    ledger.credit(round_win("win-3", "bet-1", 400))

    assert ledger.round(PLAYER, "r-1") == Round(PLAYER, "r-1", stakes=100, paid=1_000, payable=0)
    assert cash(ledger) == 1_900
    assert ledger.entry(PLAYER, IdScope.GAME, "win-2") is None
    assert cash(ledger) == ledger_sum(ledger)


def test_a_closed_round_takes_no_more_wins_or_bets(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    ledger.debit(round_bet("bet-1", 100))
    ledger.credit(round_win("win-1", "bet-1", 0, closes=True))

    with pytest.raises(RoundClosed):
        ledger.credit(round_win("win-2", "bet-1", 10))
    with pytest.raises(RoundClosed):
        ledger.debit(round_bet("bet-2", 10))

    assert ledger.round(PLAYER, "r-1") == Round(PLAYER, "r-1", stakes=100, paid=0, payable=1_000, closed=True)
    closing = ledger.entry(PLAYER, IdScope.GAME, "win-1")
    assert closing is not None
    assert (closing.amount, closing.closes_round) == (0, True)
    assert [ledger.entry(PLAYER, IdScope.GAME, tx) for tx in ("win-2", "bet-2")] == [None, None]
    assert cash(ledger) == 900 == ledger_sum(ledger)


def test_a_win_on_a_round_without_bets_is_refused(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    ledger.debit(round_bet("bet-1", 100))

    with pytest.raises(NotInRound):
        ledger.credit(round_win("win-1", "bet-1", 10, round_id="r-unknown"))

    assert cash(ledger) == 900


def test_a_rollback_is_refused_once_its_round_paid_a_win(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    placed = round_bet("bet-1", 100)
    ledger.debit(placed)
    ledger.credit(round_win("win-1", "bet-1", 300))

    with pytest.raises(RoundHasWins):
        ledger.reverse(round_rollback(placed, "rb-1"), placed)

    stored = ledger.entry(PLAYER, IdScope.GAME, "bet-1")
    assert stored is not None
    assert stored.reversed_by is None
    assert ledger.entry(PLAYER, IdScope.GAME, "rb-1") is None
    assert cash(ledger) == 1_200 == ledger_sum(ledger)


def test_a_rollback_takes_its_stake_and_payable_back_from_its_round(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    first, second = round_bet("bet-1", 100), round_bet("bet-2", 40)
    ledger.debit(first)
    ledger.debit(second)

    ledger.reverse(round_rollback(second, "rb-2"), second)

    assert ledger.round(PLAYER, "r-1") == Round(PLAYER, "r-1", stakes=100, paid=0, payable=1_000)
    assert cash(ledger) == 900 == ledger_sum(ledger)


def test_rollback_of_a_bet_missing_from_the_ledger_is_refused(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    never_placed = bet("bet-ghost", 40, seconds=1)

    with pytest.raises(LookupError):
        ledger.reverse(rollback_of(never_placed, "rb-1"), never_placed)

    assert cash(ledger) == 100
    assert ledger.entry(PLAYER, IdScope.GAME, "rb-1") is None


def test_rollback_of_unknown_bet_blocks_late_bet(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    rollback, tombstone = unknown_bet_rollback("rb-1", "bet-late")

    ledger.tombstone(rollback, tombstone)

    assert ledger.entry(PLAYER, IdScope.GAME, "rb-1") == rollback
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-late") == tombstone
    with pytest.raises(DuplicateTransaction) as late:
        ledger.debit(bet("bet-late", 40, seconds=1))
    assert late.value.transaction_id == "bet-late"
    assert cash(ledger) == 100


def test_tombstone_works_for_a_player_without_wallet(ledger: LedgerStore) -> None:
    rollback, tombstone = unknown_bet_rollback("rb-1", "bet-late", currency="")

    ledger.tombstone(rollback, tombstone)

    assert ledger.balance(PLAYER) is None
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-late") == tombstone


def test_tombstone_refused_when_the_bet_arrived_meanwhile(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    ledger.debit(bet("bet-1", 40, seconds=1))
    rollback, tombstone = unknown_bet_rollback("rb-1", "bet-1")

    with pytest.raises(DuplicateTransaction) as raced:
        ledger.tombstone(rollback, tombstone)

    assert raced.value.transaction_id == "bet-1"
    assert ledger.entry(PLAYER, IdScope.GAME, "rb-1") is None
    stored = ledger.entry(PLAYER, IdScope.GAME, "bet-1")
    assert stored is not None
    assert stored.kind is EntryKind.BET


def test_tombstone_with_replayed_rollback_id_is_a_duplicate(ledger: LedgerStore) -> None:
    ledger.tombstone(*unknown_bet_rollback("rb-1", "bet-1"))

    with pytest.raises(DuplicateTransaction) as replayed:
        ledger.tombstone(*unknown_bet_rollback("rb-1", "bet-2"))

    assert replayed.value.transaction_id == "rb-1"
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-2") is None


def test_entries_are_the_players_own_oldest_first(ledger: LedgerStore) -> None:
    paris = timezone(timedelta(hours=2))
    ledger.credit(deposit("dep-b", 10, seconds=5))
    ledger.credit(deposit("dep-a", 10, seconds=5))  # same instant: the transaction id decides
    ledger.credit(deposit("dep-first", 10, seconds=-3600))
    ledger.debit(bet("bet-1", 5, seconds=10))
    ledger.credit(deposit("dep-other", 99, player_id="player-2"))
    ledger.tombstone(*unknown_bet_rollback("rb-1", "bet-late"))
    # Written later but stamped earlier, in another time zone: ordering is by instant.
    earlier = entry("dep-paris", EntryKind.DEPOSIT, 10, seconds=-7200)
    ledger.credit(replace(earlier, created_at=earlier.created_at.astimezone(paris)))

    ids = [item.transaction_id for item in ledger.entries(PLAYER)]

    assert ids == ["dep-paris", "dep-first", "bet-late", "rb-1", "dep-a", "dep-b", "bet-1"]
    assert [item.transaction_id for item in ledger.entries("player-2")] == ["dep-other"]
    assert ledger.entries(PLAYER)[0].created_at == START - timedelta(hours=2)


def test_ledger_sum_equals_cash_after_every_kind_of_entry(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 500))
    ledger.debit(bet("bet-1", 200, seconds=1))
    ledger.credit(entry("win-1", EntryKind.WIN, 350, seconds=2, reference="bet-1"))
    placed = bet("bet-2", 100, seconds=3)
    ledger.debit(placed)
    ledger.reverse(rollback_of(placed, "rb-2"), placed)
    ledger.tombstone(*unknown_bet_rollback("rb-3", "bet-3"))
    ledger.debit(withdrawal("wd-1", 150, seconds=4))

    assert cash(ledger) == 500
    assert ledger_sum(ledger) == 500


def test_withdrawal_takes_cash_only_while_it_stays_at_or_above_zero(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    paid_out = withdrawal("wd-1", 60, seconds=1)

    ledger.debit(paid_out)
    with pytest.raises(InsufficientFunds):
        ledger.debit(withdrawal("wd-2", 41, seconds=2))
    ledger.debit(withdrawal("wd-3", 40, seconds=3))

    assert cash(ledger) == 0
    assert ledger.entry(PLAYER, IdScope.PAYMENT, "wd-1") == paid_out
    assert ledger.entry(PLAYER, IdScope.PAYMENT, "wd-2") is None
    assert [item.transaction_id for item in ledger.entries(PLAYER)] == ["dep-1", "wd-1", "wd-3"]
    assert ledger_sum(ledger) == 0


def test_withdrawal_never_takes_bonus_money(ledger: LedgerStore) -> None:
    ledger.credit(grant("grant-1", 500))

    with pytest.raises(InsufficientFunds):
        ledger.debit(withdrawal("wd-1", 1, seconds=1))

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=0, bonus=500)
    assert ledger.entry(PLAYER, IdScope.PAYMENT, "wd-1") is None


def test_replayed_withdrawal_is_a_duplicate_and_pays_out_once(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))
    ledger.debit(withdrawal("wd-1", 30, seconds=1))

    with pytest.raises(DuplicateTransaction) as replayed:
        ledger.debit(withdrawal("wd-1", 30, seconds=1))

    assert replayed.value.transaction_id == "wd-1"
    assert cash(ledger) == 70


def test_withdrawal_in_another_currency_or_without_a_wallet_is_refused(ledger: LedgerStore) -> None:
    with pytest.raises(InsufficientFunds):
        ledger.debit(withdrawal("wd-1", 1))
    ledger.credit(deposit("dep-1", 100))
    with pytest.raises(CurrencyMismatch):
        ledger.debit(withdrawal("wd-2", 10, currency="GBP", seconds=1))

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=100)
    assert ledger.entry(PLAYER, IdScope.PAYMENT, "wd-1") is None
    assert ledger.entry(PLAYER, IdScope.PAYMENT, "wd-2") is None


def test_bonus_grant_credits_bonus_only(ledger: LedgerStore) -> None:
    granted = grant("grant-1", 500)

    ledger.credit(granted)
    ledger.credit(deposit("dep-1", 100, seconds=1))

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=100, bonus=500)
    assert ledger.entry(PLAYER, IdScope.SYSTEM, "grant-1") == granted
    with pytest.raises(DuplicateTransaction):
        ledger.credit(grant("grant-1", 500))
    assert bonus(ledger) == 500


def test_bonus_grant_in_another_currency_is_refused(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 100))

    with pytest.raises(CurrencyMismatch):
        ledger.credit(grant("grant-gbp", 500, currency="GBP"))

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=100, bonus=0)
    assert ledger.entry(PLAYER, IdScope.SYSTEM, "grant-gbp") is None


def test_bonus_bet_takes_bonus_and_leaves_cash(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    ledger.credit(grant("grant-1", 500, seconds=1))
    placed = bet("bet-1", 500, seconds=2, funds=Funds.BONUS)

    ledger.debit(placed)

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=1_000, bonus=0)
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-1") == placed


def test_bonus_bet_is_refused_when_bonus_is_short_even_if_cash_is_plenty(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    ledger.credit(grant("grant-1", 500, seconds=1))

    with pytest.raises(InsufficientFunds):
        ledger.debit(bet("bet-1", 501, seconds=2, funds=Funds.BONUS))

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=1_000, bonus=500)
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-1") is None


def test_bonus_bet_of_a_cash_only_wallet_is_insufficient_funds(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))

    with pytest.raises(InsufficientFunds):
        ledger.debit(bet("bet-1", 1, seconds=1, funds=Funds.BONUS))

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=1_000, bonus=0)


def test_cash_bet_never_takes_bonus(ledger: LedgerStore) -> None:
    ledger.credit(grant("grant-1", 500))

    with pytest.raises(InsufficientFunds):
        ledger.debit(bet("bet-1", 100, seconds=1))

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=0, bonus=500)
    assert ledger.entry(PLAYER, IdScope.GAME, "bet-1") is None


def test_win_and_rollback_of_bonus_bets_go_back_to_bonus(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    ledger.credit(grant("grant-1", 500, seconds=1))
    won = bet("bet-1", 200, seconds=2, funds=Funds.BONUS)
    ledger.debit(won)
    ledger.credit(entry("win-1", EntryKind.WIN, 700, seconds=3, reference="bet-1", funds=Funds.BONUS))
    cancelled = bet("bet-2", 300, seconds=4, funds=Funds.BONUS)
    ledger.debit(cancelled)
    rollback = rollback_of(cancelled, "rb-2")

    ledger.reverse(rollback, cancelled)

    assert ledger.balance(PLAYER) == Balance(PLAYER, "EUR", cash=1_000, bonus=1_000)
    assert ledger.entry(PLAYER, IdScope.GAME, "rb-2") == rollback
    assert (ledger_sum(ledger, Funds.CASH), ledger_sum(ledger, Funds.BONUS)) == (1_000, 1_000)


def run_together(tasks: list[Callable[[], object]]) -> list[object]:
    """Run the tasks on one thread each, released at the same moment; returns results or errors."""
    barrier = threading.Barrier(len(tasks))
    results: list[object] = [None] * len(tasks)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = tasks[index]()
        except Exception as error:  # the caller asserts on which errors happened
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(tasks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def contention(ledger: LedgerStore, request: pytest.FixtureRequest) -> tuple[int, int]:
    """Clients x operations on one player: the cloud's store takes as many clients as its local emulator
    sustains (`real_ledger_contention`, from the provider's fixtures, with the reason there); in memory
    8 x 50."""
    if isinstance(ledger, InMemoryLedgerStore):
        return (8, 50)
    sized: tuple[int, int] = request.getfixturevalue("real_ledger_contention")
    return sized


def test_racing_rollbacks_of_one_bet_reverse_it_once(
    ledger: LedgerStore, request: pytest.FixtureRequest
) -> None:
    # Four rollbacks at once, or as many clients as the store's emulator takes on one player.
    racers = min(4, contention(ledger, request)[0])
    ledger.credit(deposit("dep-1", 1_000))
    for round_ in range(5):
        placed = bet(f"bet-{round_}", 100, seconds=round_)
        ledger.debit(placed)
        rollbacks = [rollback_of(placed, f"rb-{round_}-{n}") for n in range(racers)]

        results = run_together([partial(ledger.reverse, rollback, placed) for rollback in rollbacks])

        assert sum(result is None for result in results) == 1
        assert all(isinstance(result, AlreadyReversed) for result in results if result is not None)
    assert cash(ledger) == 1_000 == ledger_sum(ledger)


def test_racing_late_bet_and_rollback_let_exactly_one_through(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    for round_ in range(5):
        late_bet = bet(f"bet-{round_}", 100, seconds=round_)
        rollback, tombstone = unknown_bet_rollback(f"rb-{round_}", late_bet.transaction_id)

        results = run_together(
            [partial(ledger.debit, late_bet), partial(ledger.tombstone, rollback, tombstone)]
        )

        assert sum(result is None for result in results) == 1
        assert all(isinstance(result, DuplicateTransaction) for result in results if result is not None)
    assert cash(ledger) == ledger_sum(ledger)


def test_concurrent_bets_wins_and_replays_keep_balance_equal_to_ledger(
    ledger: LedgerStore, request: pytest.FixtureRequest
) -> None:
    threads, operations = contention(ledger, request)
    ledger.credit(deposit("dep-seed", 2_000, seconds=-1))
    # A shared pool of ids: threads collide on them, so many calls are replays of another's call.
    pool = [
        (deposit if n % 3 == 0 else bet)(f"tx-{n}", 10 + n % 7 * 25, seconds=n % 11)
        for n in range(threads * operations // 4)
    ]
    accepted: Counter[str] = Counter()
    unexpected: list[BaseException] = []
    lowest_cash = [cash(ledger)]
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def player(seed: int) -> None:
        chooser = random.Random(seed)
        barrier.wait()
        for _ in range(operations):
            item = chooser.choice(pool)
            try:
                (ledger.credit if item.kind is EntryKind.DEPOSIT else ledger.debit)(item)
            except (DuplicateTransaction, InsufficientFunds):
                pass
            except Exception as error:
                with lock:
                    unexpected.append(error)
            else:
                with lock:
                    accepted[item.transaction_id] += 1
            with lock:
                lowest_cash.append(cash(ledger))

    workers = [threading.Thread(target=player, args=(seed,)) for seed in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    written = [item.transaction_id for item in ledger.entries(PLAYER)]
    assert unexpected == []
    assert max(accepted.values()) == 1, "a transaction id took effect twice"
    assert sorted(written) == sorted([*accepted, "dep-seed"])
    assert cash(ledger) == ledger_sum(ledger)
    assert min(lowest_cash) >= 0


def test_a_write_at_a_stale_balance_version_moves_nothing_and_returns_the_balance(
    ledger: LedgerStore,
) -> None:
    first = ledger.snapshot(PLAYER, IdScope.PAYMENT, "dep-1")
    assert (first.balance, first.existing) == (None, None)
    ledger.credit(deposit("dep-1", 1_000), None, 0)
    read = ledger.snapshot(PLAYER, IdScope.GAME, "bet-1")
    assert read.balance is not None
    version = read.balance.version
    ledger.credit(deposit("dep-2", 500))  # a concurrent write, not conditioned on the version

    # Every write moved the version by one; a write at the version read before it is refused.
    for write in (
        lambda: ledger.debit(bet("bet-1", 100), None, version),
        lambda: ledger.credit(deposit("dep-3", 100), None, version),
        lambda: ledger.credit(grant("bonus-1", 100), None, version),
    ):
        with pytest.raises(BalanceMoved) as moved:
            write()
        assert moved.value.balance == Balance(PLAYER, "EUR", cash=1_500)
        assert moved.value.balance is not None
        assert moved.value.balance.version == version + 1
    assert [item.transaction_id for item in ledger.entries(PLAYER)] == ["dep-1", "dep-2"]

    # At the version the refusal returned, the write goes through and leaves the version one on.
    ledger.debit(bet("bet-1", 100), None, version + 1)
    after = ledger.snapshot(PLAYER, IdScope.GAME, "bet-1")
    assert after.existing is not None
    assert after.existing.transaction_id == "bet-1"
    assert after.balance == Balance(PLAYER, "EUR", cash=1_400)
    assert after.balance is not None
    assert after.balance.version == version + 2


def test_a_rollback_at_a_stale_balance_version_leaves_the_bet_as_it_was(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    placed = bet("bet-1", 300)
    ledger.debit(placed)
    stale = ledger.snapshot(PLAYER, IdScope.GAME, "rb-1", bet_transaction_id="bet-1")
    assert stale.bet is not None
    assert stale.balance is not None
    ledger.credit(deposit("dep-2", 50))

    with pytest.raises(BalanceMoved):
        ledger.reverse(rollback_of(placed, "rb-1"), placed, None, stale.balance.version)

    still = ledger.entry(PLAYER, IdScope.GAME, "bet-1")
    assert still is not None
    assert still.reversed_by is None
    assert cash(ledger) == 750 == ledger_sum(ledger)


def test_the_snapshot_reads_the_bet_and_a_replay_in_one_go(ledger: LedgerStore) -> None:
    ledger.credit(deposit("dep-1", 1_000))
    ledger.debit(bet("bet-1", 300))

    seen = ledger.snapshot(PLAYER, IdScope.PAYMENT, "dep-1", bet_transaction_id="bet-1")
    missing = ledger.snapshot(PLAYER, IdScope.GAME, "win-1", bet_transaction_id="bet-none")

    assert seen.existing is not None
    assert seen.existing.kind is EntryKind.DEPOSIT
    assert seen.bet is not None
    assert seen.bet.amount == 300
    assert seen.balance == Balance(PLAYER, "EUR", cash=700)
    assert seen.protection is None  # not asked for
    assert (missing.existing, missing.bet) == (None, None)
