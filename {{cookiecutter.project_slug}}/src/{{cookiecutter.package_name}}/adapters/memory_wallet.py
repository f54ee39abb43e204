"""The wallet module's in-memory store: the same semantics as the DynamoDB one, behind one lock.

The store applies the wallet's guards (domain.guard) under the same lock as the money they guard, and
keeps the records they are checked against: players' protection and period counters. Player
protection (responsible_gaming) reads and writes those records through this store, its
ProtectionStore; without it no record is ever written and every guard checks and counts nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..domain.errors import CurrencyMismatch
from ..domain.events import DomainEvent
from ..domain.guard import (
    KycStatus,
    LimitBreached,
    PlayerProtection,
    ProtectionCheckFailed,
    TransactionGuard,
    first_breach,
)
from ..domain.wallet import (
    AlreadyReversed,
    Balance,
    BalanceMoved,
    DuplicateTransaction,
    EntryKind,
    Funds,
    FundsShort,
    IdScope,
    LedgerEntry,
    NotInRound,
    Round,
    RoundCapExceeded,
    RoundClosed,
    RoundHasWins,
    SessionRequired,
    WalletSnapshot,
)

if TYPE_CHECKING:
    from ..ports import EventPublisher
    from ..ports.wallet import ActiveSessions


class InMemoryLedgerStore:
    """Ledger entries, balances, players' protection and period counters, behind one lock.

    It is the ProtectionStore too: a guard is checked under the same lock as the money it guards.
    Committed entries' events (their outbox) are kept in `outbox`, in commit order, and handed at once
    to `relay` when one is given, as the stream publisher carries them from the table's stream.
    """

    def __init__(
        self, relay: EventPublisher | None = None, *, sessions: ActiveSessions | None = None
    ) -> None:
        self.outbox: list[DomainEvent] = []
        self._relay = relay
        # Where a bet's session is checked; none: a bet that needs one is refused (fails closed).
        self._sessions = sessions
        self._entries: dict[EntryKey, LedgerEntry] = {}
        self._balances: dict[str, Balance] = {}
        self._protection: dict[str, PlayerProtection] = {}
        self._counters: dict[tuple[str, str], int] = {}
        self._rounds: dict[tuple[str, str], Round] = {}
        self._lock = threading.Lock()

    def check_sessions_in(self, sessions: ActiveSessions) -> None:
        """Check bets' sessions in `sessions` from now on (a store built before the sessions' store)."""
        self._sessions = sessions

    def balance(self, player_id: str) -> Balance | None:
        with self._lock:
            return self._balances.get(player_id)

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        with self._lock:
            return self._entries.get((player_id, scope, transaction_id))

    def round(self, player_id: str, round_id: str) -> Round | None:
        with self._lock:
            return self._rounds.get((player_id, round_id))

    def snapshot(
        self,
        player_id: str,
        scope: IdScope,
        transaction_id: str,
        *,
        bet_transaction_id: str | None = None,
        protection: bool = False,
    ) -> WalletSnapshot:
        with self._lock:
            balance = self._balances.get(player_id)
            existing = self._entries.get((player_id, scope, transaction_id))
            bet = None
            if bet_transaction_id is not None:
                bet = self._entries.get((player_id, IdScope.GAME, bet_transaction_id))
        # Outside the lock, as DynamoDB's BatchGetItem is no isolated snapshot either: the write's
        # conditions check each value again.
        read_protection = (self.protection(player_id) or PlayerProtection(player_id)) if protection else None
        return WalletSnapshot(balance, existing, bet, read_protection)

    def credit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        with self._lock:
            self._refuse_duplicate(entry)
            current = self._balances.get(entry.player_id)
            _refuse_moved(current, at_version)
            if current is not None and current.currency != entry.currency:
                raise _currency_mismatch(current, entry)
            if entry.kind is EntryKind.WIN and entry.reference is not None:
                bet = self._entries.get((entry.player_id, IdScope.GAME, entry.reference))
                if bet is None or bet.reversed_by is not None:
                    raise AlreadyReversed(entry.reference)
            paid_round = self._round_paying(entry) if entry.kind is EntryKind.WIN else None
            self._check(guard)
            self._entries[_key(entry)] = entry
            self._add(entry.player_id, entry.currency, entry.funds, entry.amount)
            self._count(guard)
            self._save_round(paid_round)
            self._committed(entry)

    def debit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        with self._lock:
            self._refuse_duplicate(entry)
            current = self._balances.get(entry.player_id)
            _refuse_moved(current, at_version)
            if current is None:
                raise FundsShort("the player has no balance", balance=None)
            if current.currency != entry.currency:
                raise _currency_mismatch(current, entry)
            if _held(current, entry.funds) < entry.amount:
                raise FundsShort(
                    f"the {entry.kind} would take the {entry.funds} balance below zero", balance=current
                )
            staked_round = self._round_staking(entry)
            if entry.session_check is not None and (
                self._sessions is None
                or not self._sessions.is_active_for(entry.session_check, entry.player_id)
            ):
                raise SessionRequired("a bet needs the player's active session", field="session_id")
            self._check(guard)
            self._entries[_key(entry)] = entry
            self._add(entry.player_id, entry.currency, entry.funds, -entry.amount)
            self._count(guard)
            self._save_round(staked_round)
            self._committed(entry)

    def reverse(
        self,
        rollback: LedgerEntry,
        bet: LedgerEntry,
        guard: TransactionGuard | None = None,
        at_version: int | None = None,
    ) -> None:
        with self._lock:
            self._refuse_duplicate(rollback)
            stored = self._entries.get(_key(bet))
            if stored is None:
                raise LookupError(f"bet {bet.transaction_id} is not in the ledger")
            if stored.reversed_by is not None:
                raise AlreadyReversed(bet.transaction_id)
            _refuse_moved(self._balances.get(rollback.player_id), at_version)
            refunded_round = self._round_refunding(rollback, stored)
            self._check(guard)
            self._entries[_key(rollback)] = rollback
            self._entries[_key(bet)] = replace(stored, reversed_by=rollback.transaction_id)
            self._add(rollback.player_id, rollback.currency, rollback.funds, rollback.amount)
            self._count(guard)
            self._save_round(refunded_round)
            self._committed(rollback)

    def tombstone(self, rollback: LedgerEntry, tombstone: LedgerEntry) -> None:
        with self._lock:
            self._refuse_duplicate(rollback)
            self._refuse_duplicate(tombstone)
            self._entries[_key(rollback)] = rollback
            self._entries[_key(tombstone)] = tombstone
            self._committed(rollback, tombstone)

    def entries(self, player_id: str) -> list[LedgerEntry]:
        with self._lock:
            mine = [entry for entry in self._entries.values() if entry.player_id == player_id]
        return sorted(mine, key=lambda entry: (entry.created_at, entry.transaction_id))

    def protection(self, player_id: str) -> PlayerProtection | None:
        with self._lock:
            return self._protection.get(player_id)

    def save_protection(self, protection: PlayerProtection) -> None:
        with self._lock:
            stored = self._protection.get(protection.player_id)
            if (0 if stored is None else stored.version) != protection.version - 1:
                raise ProtectionCheckFailed(protection.player_id)
            self._protection[protection.player_id] = protection

    def period_totals(self, player_id: str, counter_ids: Sequence[str]) -> dict[str, int]:
        with self._lock:
            return {
                name: self._counters[(player_id, name)]
                for name in counter_ids
                if (player_id, name) in self._counters
            }

    def _round_staking(self, bet: LedgerEntry) -> Round | None:
        """The bet's round with its stake added; RoundClosed once closed (the caller holds the lock)."""
        if bet.kind is not EntryKind.BET or bet.round_id is None:
            return None
        stored = self._rounds.get((bet.player_id, bet.round_id)) or Round(
            bet.player_id, bet.round_id, 0, 0, 0
        )
        if stored.closed:
            raise RoundClosed("the round is closed: it takes no more bets", field="round_id")
        return replace(stored, stakes=stored.stakes + bet.amount, payable=stored.payable + bet.round_payable)

    def _round_paying(self, win: LedgerEntry) -> Round | None:
        """The win's round with the win paid, within its headroom (the caller holds the lock)."""
        if win.round_id is None:
            return None
        stored = self._rounds.get((win.player_id, win.round_id))
        if stored is None:
            raise NotInRound("the round has no bets", field="round_id")
        if stored.closed:
            raise RoundClosed("the round is closed: it takes no more wins", field="round_id")
        if stored.payable < win.amount:
            raise RoundCapExceeded("the win would take the round's total paid above its cap", field="amount")
        return replace(
            stored,
            paid=stored.paid + win.amount,
            payable=stored.payable - win.amount,
            closed=win.closes_round,
        )

    def _round_refunding(self, rollback: LedgerEntry, bet: LedgerEntry) -> Round | None:
        """The bet's round without its stake; RoundHasWins once it paid (the caller holds the lock)."""
        if bet.round_id is None:
            return None
        stored = self._rounds.get((bet.player_id, bet.round_id))
        if stored is None:
            return None
        if stored.paid > 0:
            raise RoundHasWins(
                "the bet's round has paid wins: it is settled, not rolled back", field="bet_transaction_id"
            )
        return replace(
            stored, stakes=stored.stakes - bet.amount, payable=stored.payable + rollback.round_payable
        )

    def _save_round(self, moved: Round | None) -> None:
        if moved is not None:
            self._rounds[(moved.player_id, moved.round_id)] = moved

    def _check(self, guard: TransactionGuard | None) -> None:
        """What a DynamoDB guard's ConditionCheck and counter conditions check (the caller holds the lock)."""
        if guard is None:
            return
        if guard.checks_protection:
            stored = self._protection.get(guard.player_id)
            blocked_until = None if stored is None else stored.blocked_until
            if guard.version is not None and (
                stored is None or stored.version != guard.version or stored.kyc is not KycStatus.VERIFIED
            ):
                raise ProtectionCheckFailed(guard.player_id)
            checked_at = guard.checked_at
            if blocked_until is not None and checked_at is not None and blocked_until > checked_at:
                raise ProtectionCheckFailed(guard.player_id)
        breach = first_breach(guard)
        if breach is not None:
            raise LimitBreached(breach)
        for count in guard.counts:
            total = self._counters.get((guard.player_id, count.counter_id), 0)
            if count.cap is not None and total + count.delta > count.cap:
                raise LimitBreached(count)

    def _count(self, guard: TransactionGuard | None) -> None:
        if guard is None:
            return
        for count in guard.counts:
            key = (guard.player_id, count.counter_id)
            self._counters[key] = self._counters.get(key, 0) + count.delta

    def _committed(self, *entries: LedgerEntry) -> None:
        """Keep the entries without their outbox, and pass the outbox on (the caller holds the lock)."""
        for entry in entries:
            self._entries[_key(entry)] = replace(self._entries[_key(entry)], events=())
            self.outbox.extend(entry.events)
            if self._relay is not None and entry.events:
                self._relay.publish(entry.events)

    def _refuse_duplicate(self, entry: LedgerEntry) -> None:
        if _key(entry) in self._entries:
            raise DuplicateTransaction(entry.transaction_id)

    def _add(self, player_id: str, currency: str, funds: Funds, amount: int) -> None:
        current = self._balances.get(player_id) or Balance(player_id, currency, cash=0)
        if funds is Funds.BONUS:
            moved = replace(current, bonus=current.bonus + amount)
        else:
            moved = replace(current, cash=current.cash + amount)
        self._balances[player_id] = replace(moved, version=current.version + 1)


class SessionsOf:
    """ActiveSessions over a store that gives sessions back by id (the sessions module's in-memory one)."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def is_active_for(self, session_id: str, player_id: str) -> bool:
        session = self._store.get(session_id)
        return session is not None and session.player_id == player_id and str(session.status) == "active"


# A ledger entry's identity: transaction ids are unique per player and per scope (domain.wallet.IdScope).
EntryKey = tuple[str, IdScope, str]


def _key(entry: LedgerEntry) -> EntryKey:
    return (entry.player_id, entry.kind.scope, entry.transaction_id)


def _refuse_moved(current: Balance | None, at_version: int | None) -> None:
    """BalanceMoved unless the balance is at `at_version` (None: the write is not conditioned on it)."""
    if at_version is not None and (0 if current is None else current.version) != at_version:
        raise BalanceMoved(current)


def _held(balance: Balance, funds: Funds) -> int:
    return balance.bonus if funds is Funds.BONUS else balance.cash


def _currency_mismatch(balance: Balance, entry: LedgerEntry) -> CurrencyMismatch:
    return CurrencyMismatch(f"the wallet holds {balance.currency}, not {entry.currency}", field="currency")
