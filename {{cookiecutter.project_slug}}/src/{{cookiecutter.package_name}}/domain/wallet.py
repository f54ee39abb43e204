"""Wallet: deposits, withdrawals, bonus grants, bets, wins and rollbacks in minor units, idempotent by id."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .errors import (
    BetAlreadyRolledBack,
    Conflict,
    CurrencyMismatch,
    DomainError,
    InsufficientFunds,
    NotFound,
    TransactionConflict,
    ValidationFailed,
)
from .events import DomainEvent
from .money import MAX_AMOUNT, Money

# The most a round may pay in all, as a multiple of its stakes (a setting: ROUND_CAP_MULTIPLE). 10,000x is
# above the advertised top win of most slot games (commonly 5,000x to 10,000x the stake), so no fair win
# is refused, while a forged or faulty win is bounded by what the player staked. A game with a higher top
# win needs the setting raised before it goes live (docs/api.md, Rounds).
DEFAULT_ROUND_CAP_MULTIPLE = 10_000

# How often a money write is tried conditioned on the balance's version (so the answer's balance is the
# read one moved by the amount, exact, with no read after the write) before it is written without that
# condition and the balance read afterwards. A lost race is a concurrent write to the same player's
# balance; the money's own conditions (funds, ids, rounds, limits) hold on every attempt.
EXACT_BALANCE_ATTEMPTS = 2

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..ports import Clock
    from ..ports.wallet import LedgerStore, TransactionGuards
    from .guard import PlayerProtection, TransactionGuard


class EntryKind(StrEnum):
    """What a ledger entry records."""

    DEPOSIT = "deposit"
    # Cash paid out to the player (the payment provider's payout): only cash, never below zero.
    WITHDRAWAL = "withdrawal"
    BONUS_GRANT = "bonus_grant"
    BET = "bet"
    WIN = "win"
    ROLLBACK = "rollback"
    # Written under the id of a bet that was rolled back before it arrived: refuses the late bet.
    TOMBSTONE = "tombstone"

    @property
    def scope(self) -> IdScope:
        """Whose ids entries of this kind carry."""
        if self in (EntryKind.DEPOSIT, EntryKind.WITHDRAWAL):
            return IdScope.PAYMENT
        if self is EntryKind.BONUS_GRANT:
            return IdScope.SYSTEM
        return IdScope.GAME


class IdScope(StrEnum):
    """Whose transaction ids an entry's id is: ids are unique per player and per scope, never across them.

    So one player's ids can never block another's, a game server's bet id can never take a payment
    provider's deposit id, and the ids the backend makes for itself (bonus grants) are out of every
    caller's reach.
    """

    PAYMENT = "payment"  # the payment provider's: deposits and withdrawals
    GAME = "game"  # the game server's: bets, wins, rollbacks (and a rollback's tombstone)
    SYSTEM = "system"  # the backend's own: bonus grants


class Funds(StrEnum):
    """Which of a player's balances an entry moves: cash and bonus money are kept apart."""

    CASH = "cash"
    BONUS = "bonus"


@dataclass(frozen=True, slots=True)
class Balance:
    """Cash and bonus money of one player, in minor units of one currency.

    `version` grows by one with every write of the balance (0: never written, or written before the
    balance had versions). A write conditioned on the version it read knows the balance it leaves.
    """

    player_id: str
    currency: str
    cash: int
    bonus: int = 0
    version: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One transaction, kept forever; its id is the idempotency key."""

    transaction_id: str
    player_id: str
    kind: EntryKind
    amount: int
    currency: str
    fingerprint: str
    created_at: datetime
    reference: str | None = None  # the bet a win or rollback refers to
    reversed_by: str | None = None  # the rollback that reversed this bet
    # The game round a bet is part of (a win and a rollback carry their bet's): the store keeps one
    # record per round, moved in the same atomic write as the entry (Round).
    round_id: str | None = None
    closes_round: bool = False  # a win that is its round's final settlement: the round takes no more
    # A bet's session that the store must find active and the player's in the same atomic write (the
    # jurisdiction's rule, Wallet's bet_needs_session); not part of the ledger's record.
    session_check: str | None = field(default=None, compare=False, repr=False)
    # What a bet adds to its round's payable headroom (its stake times the cap multiple at the time); a
    # rollback takes its bet's back. Kept with the bet, so a changed setting never unbalances a round.
    round_payable: int = 0
    # The balance the entry moves; a win and a rollback move the balance their bet took.
    funds: Funds = Funds.CASH
    # The outbox: the domain events of this transaction, written in the same atomic write as the entry
    # and carried to the bus from the store's change stream. Not part of the ledger's record: a store
    # gives entries back without them.
    events: tuple[DomainEvent, ...] = field(default=(), compare=False, repr=False)

    @property
    def signed_amount(self) -> int:
        """The entry's effect on the balance named by `funds`."""
        if self.kind in (EntryKind.DEPOSIT, EntryKind.BONUS_GRANT, EntryKind.WIN, EntryKind.ROLLBACK):
            return self.amount
        if self.kind in (EntryKind.BET, EntryKind.WITHDRAWAL):
            return -self.amount
        return 0


if TYPE_CHECKING:
    # One of the ledger's writes, with the guard the store applies in the same atomic write (None: none),
    # and the balance version the write is conditioned on (None: not conditioned on it).
    Write = Callable[[LedgerEntry, TransactionGuard | None, int | None], None]
    # What builds a write's guard from the player's protection read with the operation (None: read it).
    GuardMaker = Callable[[PlayerProtection | None], TransactionGuard]


@dataclass(frozen=True, slots=True)
class WalletSnapshot:
    """What one money operation reads before its write, in one request (LedgerStore.snapshot).

    `existing`: the ledger entry already under the operation's transaction id (a replay, or an id in
    use); `bet`: the entry under the bet id a win or rollback names; `protection`: the player's protection
    when asked for (a PlayerProtection at version 0 when none is stored), else None. Every value read is
    checked again by the write's own conditions, so the read need not be one isolated snapshot.
    """

    balance: Balance | None
    existing: LedgerEntry | None
    bet: LedgerEntry | None = None
    protection: PlayerProtection | None = None


def fingerprint(*parts: object) -> str:
    """Hash of a request's meaningful fields: the same id with another payload is a conflict."""
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()


class DuplicateTransaction(Exception):
    """Raised by a LedgerStore when the transaction id already exists (adapter-level signal)."""

    def __init__(self, transaction_id: str) -> None:
        super().__init__(transaction_id)
        self.transaction_id = transaction_id


class AlreadyReversed(Exception):
    """Raised by a LedgerStore when the bet was already rolled back by another transaction."""


class BalanceMoved(Exception):
    """Raised by a LedgerStore when the balance is no longer at the version the write was conditioned on.

    Nothing was written; `balance` is the balance as the store found it (the refused write returns it),
    so the write can be tried again at its version without another read.
    """

    def __init__(self, balance: Balance | None) -> None:
        super().__init__(balance)
        self.balance = balance


@dataclass(frozen=True, slots=True)
class Round:
    """One game round of a player: its stakes, what it paid, and what it may still pay.

    `payable` is the headroom left under the round's cap: every bet raises it by its stake times the cap
    multiple, every win lowers it by what it pays, and a win is written only while it stays >= 0 (a
    store's conditions cannot multiply, so the product is kept rather than computed). A closed round
    takes no more bets or wins.
    """

    player_id: str
    round_id: str
    stakes: int
    paid: int
    payable: int
    closed: bool = False


class FundsShort(InsufficientFunds):
    """InsufficientFunds with the balance the store refused against (None: the player has no wallet yet).

    The refused write itself returns the balance (DynamoDB: ReturnValuesOnConditionCheckFailure), so
    the refusal's answer carries it without another read.
    """

    def __init__(self, message: str, *, balance: Balance | None) -> None:
        super().__init__(message)
        self.balance = balance


class SessionRequired(DomainError):
    """The jurisdiction asks that a bet be placed in the player's active session, and it was not.

    One refusal for a missing, ended, unknown or another player's session: it tells no one which.
    """

    code = "session_required"
    status = 403


class RoundClosed(Conflict):
    """The round was closed by its final win: it takes no more bets or wins."""

    code = "round_closed"


class RoundCapExceeded(Conflict):
    """The win would take the round's total paid above its cap (a multiple of its stakes)."""

    code = "round_cap_exceeded"


class RoundHasWins(Conflict):
    """The bet's round has paid wins: refunding the stake would keep the wins on money given back."""

    code = "round_has_wins"


class NotInRound(Conflict):
    """The win or rollback names a round its bet is not part of."""

    code = "bet_not_in_round"


@dataclass(frozen=True, slots=True)
class WalletReceipt:
    """What the wallet answers for one transaction.

    `balance` is the player's balance after the call (None if the player has never had money).
    A replay carries the original transaction and the current balance: the ledger keeps
    transactions, not the balance each one left behind.
    """

    transaction_id: str
    kind: EntryKind
    amount: int
    currency: str
    balance: Balance | None
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The ledger's sums of a player's cash and bonus movements against the stored balances."""

    player_id: str
    ledger_cash: int
    balance_cash: int
    ledger_bonus: int = 0
    balance_bonus: int = 0

    @property
    def balanced(self) -> bool:
        return self.ledger_cash == self.balance_cash and self.ledger_bonus == self.balance_bonus


class Wallet:
    """Deposits, withdrawals, bonus grants, bets, wins and rollbacks; the ledger is the idempotency store.

    Every method is safe to retry with the same transaction id: a replay returns the original
    transaction marked `replayed` and publishes nothing; the same id with another payload is a
    TransactionConflict. A transaction's event is written with its ledger entry in one atomic write
    (the outbox, `LedgerEntry.events`); the store's change stream carries it to the bus, so no
    committed transaction loses its event and a failed write publishes none.

    Every operation is one read (LedgerStore.snapshot: the balance, the id's own entry, a win's or
    rollback's bet, the player's protection) and one atomic write conditioned on what was read: the
    balance's version, so the answer's balance is the read one moved by the amount, exact, never read
    again. A replay is the read alone. A write that loses the race for the balance (a concurrent write
    to the same player) is tried again at the version the refusal returned, then, after
    EXACT_BALANCE_ATTEMPTS, without the version and with the balance read afterwards: valid wins and
    rollbacks are never refused for a race.

    Every write asks `protection` (the guard port, ports.wallet.TransactionGuards) for its guard, built
    from the protection the operation read, which the ledger applies in the same atomic write. With
    player protection (responsible_gaming's ProtectionService, what the deployed API passes when the
    module is on), bets and deposits fail closed on the player's KYC status, exclusions and limits;
    wins and rollbacks are only counted; bonus grants are marketing, refused while the player is
    self-excluded or cooling off (KYC is not asked). Withdrawals ask no guard: players can always take
    their money out. Without it (NO_PROTECTION) the guards check and count nothing.
    """

    def __init__(
        self,
        ledger: LedgerStore,
        clock: Clock,
        source: str,
        *,
        protection: TransactionGuards | None = None,
        round_cap_multiple: int = DEFAULT_ROUND_CAP_MULTIPLE,
        bet_needs_session: bool = False,
    ) -> None:
        if isinstance(round_cap_multiple, bool) or not 1 <= round_cap_multiple <= MAX_AMOUNT:
            raise ValueError(
                f"round_cap_multiple must be between 1 and {MAX_AMOUNT}, not {round_cap_multiple}"
            )
        self._ledger = ledger
        self._clock = clock
        self._source = source  # EventBridge Source of the wallet's events, e.g. "<package>.wallet"
        self._protection = protection
        # Only the real guard port reads the player's protection; NO_PROTECTION reads nothing.
        self._reads_protection = protection is not None
        self._round_cap_multiple = round_cap_multiple
        # The jurisdiction's rule (compliance.BET_NEEDS_SESSION): a bet only in the player's active session.
        self._bet_needs_session = bet_needs_session

    def balance(self, player_id: str) -> Balance | None:
        """The player's balance, or None if the player has never had money."""
        return self._ledger.balance(player_id)

    def deposit(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> WalletReceipt:
        """Add cash to the wallet (opening it in the deposit's currency if needed)."""
        money = _checked(money)
        entry = self._new_entry(EntryKind.DEPOSIT, player_id, transaction_id, money)
        guard = self._guard(lambda guards, seen: guards.guard_deposit(player_id, money, protection=seen))
        return self._record(
            entry, self._ledger.credit, "FundsDeposited", correlation_id, session_id=None, guard=guard
        )

    def withdraw(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> WalletReceipt:
        """Pay cash out of the wallet; fails closed if the cash would go below zero or the currency differs.

        Only cash: bonus money is never paid out. Player protection never refuses a withdrawal (a
        self-excluded, cooling-off or unverified player can always take their money out) and limits
        do not count it.
        """
        money = _checked(money)
        entry = self._new_entry(EntryKind.WITHDRAWAL, player_id, transaction_id, money)
        return self._record(
            entry, self._ledger.debit, "FundsWithdrawn", correlation_id, session_id=None, guard=None
        )

    def grant_bonus(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> WalletReceipt:
        """Add bonus money to the wallet (opening it in the grant's currency if needed).

        With player protection, a player who is self-excluded or cooling off at the grant's time gets
        nothing: ExcludedFromBonuses, checked again inside the ledger's transaction, and nothing is
        written. A replayed grant still answers with the original.
        """
        money = _checked(money)
        entry = self._new_entry(EntryKind.BONUS_GRANT, player_id, transaction_id, money, funds=Funds.BONUS)
        guard = self._guard(lambda guards, seen: guards.guard_bonus(player_id, protection=seen))
        return self._record(
            entry, self._ledger.credit, "BonusGranted", correlation_id, session_id=None, guard=guard
        )

    def place_bet(
        self,
        player_id: str,
        transaction_id: str,
        money: Money,
        *,
        correlation_id: str,
        session_id: str | None = None,
        funds: Funds = Funds.CASH,
        round_id: str | None = None,
    ) -> WalletReceipt:
        """Take a stake from `funds`; fails closed: that balance short, another currency or a rolled-back id.

        Cash never covers a short bonus balance, nor bonus a short cash balance. The stake joins its
        round (`round_id`, the game server's; a caller that names none makes the bet a round of its
        own): refused with RoundClosed once the round has had its final win. Where the jurisdiction
        asks (`bet_needs_session`), the bet needs `session_id`, the player's active session, checked in
        the bet's own write: SessionRequired otherwise, and nothing is written.
        """
        money = _checked(money)
        if self._bet_needs_session and not session_id:
            raise SessionRequired(
                "a bet needs the player's active session: send its session_id", field="session_id"
            )
        entry = self._new_entry(
            EntryKind.BET,
            player_id,
            transaction_id,
            money,
            funds=funds,
            round_id=round_id or transaction_id,
            round_payable=money.amount * self._round_cap_multiple,
        )
        if self._bet_needs_session:
            entry = replace(entry, session_check=session_id)
        # Only the player's own money counts towards wager and loss limits; bonus stakes do not.
        guard = self._guard(
            lambda guards, seen: guards.guard_stake(
                player_id, money, counted=funds is Funds.CASH, protection=seen
            )
        )
        return self._record(
            entry, self._ledger.debit, "BetPlaced", correlation_id, session_id=session_id, guard=guard
        )

    def settle_win(
        self,
        player_id: str,
        transaction_id: str,
        bet_transaction_id: str,
        money: Money,
        *,
        correlation_id: str,
        session_id: str | None = None,
        round_id: str | None = None,
        close_round: bool = False,
    ) -> WalletReceipt:
        """Pay a win on one of the player's bets, in the bet's round; never refused for funds.

        Refused instead when the round is closed (RoundClosed), when the round's total paid would pass
        its cap, the cap multiple times its stakes (RoundCapExceeded), or when `round_id` is not the
        bet's round (NotInRound). `close_round`: the round's final settlement; it takes no more bets or
        wins. A round that pays nothing closes with a win of 0, the one win that may be 0.
        """
        money = _win_amount(money, close_round=close_round)
        _require_id(bet_transaction_id, "bet_transaction_id")
        entry = self._new_entry(
            EntryKind.WIN,
            player_id,
            transaction_id,
            money,
            reference=bet_transaction_id,
            round_id=round_id,
            closes_round=close_round,
        )
        seen = self._ledger.snapshot(
            player_id, IdScope.GAME, transaction_id, bet_transaction_id=bet_transaction_id
        )
        if seen.existing is not None:
            # A replay, even of a win whose bet was rolled back since: the original answer.
            return self._replayed(seen.existing, entry.fingerprint, EntryKind.WIN, seen.balance)
        try:
            bet = _players_bet(player_id, seen.bet)
            if bet.reversed_by is not None:
                raise BetAlreadyRolledBack(
                    "the bet was rolled back; it has no win to settle", field="bet_transaction_id"
                )
            if bet.currency != money.currency:
                raise CurrencyMismatch(f"the bet was placed in {bet.currency}", field="currency")
            _require_round(bet, round_id)
        except DomainError:
            # Refused, but a concurrent replay may have paid this very win after the read (the read's
            # items are not one isolated snapshot): then it answers as that replay. Refusals only.
            replay = self._replay_of(entry)
            if replay is not None:
                return replay
            raise
        entry = self._with_event(
            replace(entry, funds=bet.funds, round_id=bet.round_id), "BetSettled", correlation_id, session_id
        )
        try:
            counted = bet.funds is Funds.CASH
            guard = self._guard(lambda guards, _: guards.guard_win(player_id, money, counted=counted))
            balance = self._write(entry, self._ledger.credit, guard, correlation_id, seen)
        except DuplicateTransaction:
            return self._replay_after_race(entry)
        except AlreadyReversed:
            # The bet was rolled back between the read and the write.
            raise BetAlreadyRolledBack(
                "the bet was rolled back; it has no win to settle", field="bet_transaction_id"
            ) from None
        return self._receipt(entry, balance)

    def rollback_bet(
        self,
        player_id: str,
        transaction_id: str,
        bet_transaction_id: str,
        *,
        correlation_id: str,
        session_id: str | None = None,
        round_id: str | None = None,
    ) -> WalletReceipt:
        """Give a bet's stake back; never refused for funds, idempotent by rollback id.

        Rolling back a bet that has not arrived writes a tombstone under its id, so the late bet
        is refused instead of taking money for a round that was cancelled. A bet whose round has paid
        wins is not rolled back (RoundHasWins): the refund would leave those wins paid on a stake given
        back; the game server settles such a round instead of cancelling it.
        """
        _require_id(transaction_id, "transaction_id")
        _require_id(bet_transaction_id, "bet_transaction_id")
        if transaction_id == bet_transaction_id:
            raise ValidationFailed("a rollback needs its own transaction id", field="transaction_id")
        wanted = fingerprint(EntryKind.ROLLBACK, player_id, bet_transaction_id, round_id)
        try:
            return self._roll_back(
                player_id, transaction_id, bet_transaction_id, wanted, correlation_id, session_id, round_id
            )
        except (BetAlreadyRolledBack, RoundHasWins):
            # Refused, but this very rollback may have been written by a concurrent replay after the
            # read (the read's items are not one isolated snapshot): then it answers as that replay.
            replay = self._rollback_replay(player_id, transaction_id, wanted)
            if replay is not None:
                return replay
            raise

    def _rollback_replay(self, player_id: str, transaction_id: str, wanted: str) -> WalletReceipt | None:
        """The original answer if this rollback id is already in the ledger, else None."""
        existing = self._ledger.entry(player_id, IdScope.GAME, transaction_id)
        if existing is None:
            return None
        return self._replayed(existing, wanted, EntryKind.ROLLBACK, self._ledger.balance(player_id))

    def _roll_back(
        self,
        player_id: str,
        transaction_id: str,
        bet_transaction_id: str,
        wanted: str,
        correlation_id: str,
        session_id: str | None,
        round_id: str | None,
    ) -> WalletReceipt:
        seen = self._ledger.snapshot(
            player_id, IdScope.GAME, transaction_id, bet_transaction_id=bet_transaction_id
        )
        if seen.existing is not None:
            return self._replayed(seen.existing, wanted, EntryKind.ROLLBACK, seen.balance)
        if seen.bet is None:
            try:
                return self._roll_back_unknown_bet(
                    player_id, transaction_id, bet_transaction_id, wanted, correlation_id, session_id, seen
                )
            except DuplicateTransaction:
                # The rollback was replayed concurrently, or the bet arrived meanwhile: look again.
                seen = self._ledger.snapshot(
                    player_id, IdScope.GAME, transaction_id, bet_transaction_id=bet_transaction_id
                )
                if seen.existing is not None:
                    return self._replayed(seen.existing, wanted, EntryKind.ROLLBACK, seen.balance)
                if seen.bet is None:
                    raise TransactionConflict(
                        "the transaction id is in use", field="transaction_id"
                    ) from None
        return self._roll_back_known_bet(
            player_id, transaction_id, seen.bet, wanted, correlation_id, session_id, round_id, seen
        )

    def reconcile(self, player_id: str) -> Reconciliation:
        """Compare the sums of the player's ledger, per balance, with the stored cash and bonus."""
        sums = dict.fromkeys(Funds, 0)
        for entry in self._ledger.entries(player_id):
            sums[entry.funds] += entry.signed_amount
        balance = self._ledger.balance(player_id) or Balance(player_id, "", cash=0)
        return Reconciliation(
            player_id,
            ledger_cash=sums[Funds.CASH],
            balance_cash=balance.cash,
            ledger_bonus=sums[Funds.BONUS],
            balance_bonus=balance.bonus,
        )

    def _roll_back_known_bet(
        self,
        player_id: str,
        transaction_id: str,
        bet: LedgerEntry,
        wanted: str,
        correlation_id: str,
        session_id: str | None,
        round_id: str | None,
        seen: WalletSnapshot,
    ) -> WalletReceipt:
        if bet.player_id != player_id or bet.kind not in (EntryKind.BET, EntryKind.TOMBSTONE):
            raise Conflict("only the player's own bets can be rolled back", field="bet_transaction_id")
        if bet.kind is EntryKind.TOMBSTONE or bet.reversed_by is not None:
            raise BetAlreadyRolledBack(
                "the bet was already rolled back by another transaction", field="bet_transaction_id"
            )
        _require_round(bet, round_id)
        rollback = LedgerEntry(
            transaction_id=transaction_id,
            player_id=player_id,
            kind=EntryKind.ROLLBACK,
            amount=bet.amount,
            currency=bet.currency,
            fingerprint=wanted,
            created_at=self._clock.now(),
            reference=bet.transaction_id,
            funds=bet.funds,
            round_id=bet.round_id,
            round_payable=-bet.round_payable,
        )
        rollback = self._with_event(rollback, "BetRolledBack", correlation_id, session_id)
        try:
            stake = Money(bet.amount, bet.currency)
            counted = bet.funds is Funds.CASH
            guard = self._guard(
                lambda guards, _: guards.guard_refund(player_id, stake, bet.created_at, counted=counted)
            )
            balance = self._write(
                rollback,
                lambda entry, made, version: self._ledger.reverse(entry, bet, made, at_version=version),
                guard,
                correlation_id,
                seen,
            )
        except DuplicateTransaction:
            return self._replay_after_race(rollback)
        except AlreadyReversed:
            raise BetAlreadyRolledBack(
                "the bet was already rolled back by another transaction", field="bet_transaction_id"
            ) from None
        return self._receipt(rollback, balance)

    def _roll_back_unknown_bet(
        self,
        player_id: str,
        transaction_id: str,
        bet_transaction_id: str,
        wanted: str,
        correlation_id: str,
        session_id: str | None,
        seen: WalletSnapshot,
    ) -> WalletReceipt:
        now = self._clock.now()
        balance = seen.balance
        # Nothing moves, so the amount is zero; the currency is the wallet's if there is one.
        currency = balance.currency if balance is not None else ""
        rollback = LedgerEntry(
            transaction_id=transaction_id,
            player_id=player_id,
            kind=EntryKind.ROLLBACK,
            amount=0,
            currency=currency,
            fingerprint=wanted,
            created_at=now,
            reference=bet_transaction_id,
        )
        tombstone = LedgerEntry(
            transaction_id=bet_transaction_id,
            player_id=player_id,
            kind=EntryKind.TOMBSTONE,
            amount=0,
            currency=currency,
            fingerprint=fingerprint(EntryKind.TOMBSTONE, player_id, bet_transaction_id),
            created_at=now,
            reference=transaction_id,
        )
        rollback = self._with_event(rollback, "BetRolledBack", correlation_id, session_id)
        self._ledger.tombstone(rollback, tombstone)
        # Nothing moved: the answer carries the balance read with the operation, a moment before.
        return self._receipt(rollback, balance)

    def _new_entry(
        self,
        kind: EntryKind,
        player_id: str,
        transaction_id: str,
        money: Money,
        *,
        reference: str | None = None,
        funds: Funds = Funds.CASH,
        round_id: str | None = None,
        closes_round: bool = False,
        round_payable: int = 0,
    ) -> LedgerEntry:
        _require_id(transaction_id, "transaction_id")
        if reference == transaction_id:
            raise ValidationFailed("a win needs its own transaction id", field="transaction_id")
        return LedgerEntry(
            transaction_id=transaction_id,
            player_id=player_id,
            kind=kind,
            amount=money.amount,
            currency=money.currency,
            # Covers a bet's choice of funds and its round, and whether a win closes its round; a win
            # takes its bet's funds and round after this check, not before.
            fingerprint=fingerprint(
                kind, player_id, money.amount, money.currency, reference, funds, round_id, closes_round
            ),
            created_at=self._clock.now(),
            reference=reference,
            funds=funds,
            round_id=round_id,
            closes_round=closes_round,
            round_payable=round_payable,
        )

    def _record(
        self,
        entry: LedgerEntry,
        write: Write,
        event_name: str,
        correlation_id: str,
        *,
        session_id: str | None,
        guard: GuardMaker | None,
    ) -> WalletReceipt:
        """Read once, write the entry once with its event; a known transaction id answers as a replay.

        The one read (LedgerStore.snapshot) tells a replay, so a replay writes nothing and a refusal
        of an id already in the ledger (the player short of funds or excluded since) still answers with
        the original transaction. A new transaction is that read and one write.
        """
        entry = self._with_event(entry, event_name, correlation_id, session_id)
        seen = self._ledger.snapshot(
            entry.player_id,
            entry.kind.scope,
            entry.transaction_id,
            protection=guard is not None and self._reads_protection,
        )
        if seen.existing is not None:
            return self._replayed(seen.existing, entry.fingerprint, entry.kind, seen.balance)
        try:
            balance = self._write(entry, write, guard, correlation_id, seen)
        except DuplicateTransaction:
            return self._replay_after_race(entry)
        return self._receipt(entry, balance)

    def _guard(
        self, make: Callable[[TransactionGuards, PlayerProtection | None], TransactionGuard]
    ) -> GuardMaker:
        """What builds the write's guard from the guard port and the protection read, before each attempt."""
        return lambda seen: make(self._guards(), seen)

    def _guards(self) -> TransactionGuards:
        """The guard port: the one given, else NO_PROTECTION (guards that check and count nothing)."""
        if self._protection is None:
            # Imported on the first write: a worker that only reads the ledger does not load the guards.
            from .guard import NO_PROTECTION

            self._protection = NO_PROTECTION
        return self._protection

    def _write(
        self,
        entry: LedgerEntry,
        write: Write,
        guard: GuardMaker | None,
        correlation_id: str,
        seen: WalletSnapshot,
    ) -> Balance | None:
        """Write `entry` under a guard built from what was read; the balance the write left.

        The write is conditioned on the balance's version as read, so the balance it leaves is the read
        one moved by the entry: no read after it. A lost race (BalanceMoved) is tried again at the
        version the refusal returned, EXACT_BALANCE_ATTEMPTS times, then written without the version and
        the balance read afterwards. The guard refuses at once what the protection read refuses (KYC,
        exclusions, a stake above a limit); the write holds that protection's version and the limits'
        caps, and is tried once more, the protection read again, if the protection changed meanwhile.
        A write with no guard (a withdrawal) is the ledger's write alone.
        """
        from .guard import PROTECTION_ATTEMPTS, LimitBreached, ProtectionChanged, ProtectionCheckFailed

        balance, protection = seen.balance, seen.protection
        lost_races = protection_changes = 0
        while True:
            made = None if guard is None else guard(protection)
            exact = lost_races < EXACT_BALANCE_ATTEMPTS
            try:
                write(entry, made, _version(balance) if exact else None)
            except BalanceMoved as moved:
                lost_races += 1
                balance = moved.balance
                continue
            except ProtectionCheckFailed:
                protection_changes += 1
                if protection_changes == PROTECTION_ATTEMPTS:
                    raise ProtectionChanged(
                        "the player's protection changed meanwhile; send the request again"
                    ) from None
                protection = None  # the guard port reads it again
                continue
            except LimitBreached as breach:
                assert made is not None  # only a guard's counters can be breached
                # The read found no entry under this id, and a concurrent one fails the write as a
                # duplicate first: this is a new transaction that the limit refuses.
                raise self._guards().limit_reached(
                    made, breach.count, entry.transaction_id, correlation_id=correlation_id
                ) from None
            return _moved(balance, entry) if exact else self._ledger.balance(entry.player_id)

    def _replay_of(self, entry: LedgerEntry) -> WalletReceipt | None:
        existing = self._ledger.entry(entry.player_id, entry.kind.scope, entry.transaction_id)
        if existing is None:
            return None
        return self._replayed(existing, entry.fingerprint, entry.kind, self._ledger.balance(entry.player_id))

    def _replay_after_race(self, entry: LedgerEntry) -> WalletReceipt:
        # The id was written between our read and our write (a concurrent retry): same rules.
        replay = self._replay_of(entry)
        if replay is None:
            raise TransactionConflict("the transaction id is in use", field="transaction_id")
        return replay

    def _replayed(
        self, existing: LedgerEntry, wanted: str, kind: EntryKind, balance: Balance | None
    ) -> WalletReceipt:
        if existing.kind is EntryKind.TOMBSTONE:
            if kind is EntryKind.BET:
                raise BetAlreadyRolledBack(
                    "this bet was rolled back before it arrived", field="transaction_id"
                )
            raise TransactionConflict("the transaction id is in use", field="transaction_id")
        if existing.fingerprint != wanted:
            raise TransactionConflict(
                "the transaction id was already used with another payload", field="transaction_id"
            )
        return WalletReceipt(
            transaction_id=existing.transaction_id,
            kind=existing.kind,
            amount=existing.amount,
            currency=existing.currency,
            balance=balance,
            replayed=True,
        )

    def _with_event(
        self, entry: LedgerEntry, event_name: str, correlation_id: str, session_id: str | None
    ) -> LedgerEntry:
        """The entry with its event in its outbox, for the store to write in the same transaction."""
        detail: dict[str, Any] = {
            "player_id": entry.player_id,
            "transaction_id": entry.transaction_id,
            "amount": entry.amount,
            "currency": entry.currency,
            "funds": entry.funds.value,
        }
        if entry.reference is not None:
            detail["bet_transaction_id"] = entry.reference
        if entry.round_id is not None:
            detail["round_id"] = entry.round_id
        if entry.closes_round:
            detail["round_closed"] = True
        if session_id is not None:
            detail["session_id"] = session_id
        event = DomainEvent(
            name=event_name,
            source=self._source,
            detail=detail,
            correlation_id=correlation_id,
            occurred_at=entry.created_at,
        )
        return replace(entry, events=(event,))

    def _receipt(self, entry: LedgerEntry, balance: Balance | None) -> WalletReceipt:
        return WalletReceipt(
            transaction_id=entry.transaction_id,
            kind=entry.kind,
            amount=entry.amount,
            currency=entry.currency,
            balance=balance,
        )


def _players_bet(player_id: str, bet: LedgerEntry | None) -> LedgerEntry:
    """The bet a win names, as read: refused if it is not the player's bet, or was rolled back early."""
    if bet is not None and bet.kind is EntryKind.TOMBSTONE and bet.player_id == player_id:
        raise BetAlreadyRolledBack(
            "the bet was rolled back; it has no win to settle", field="bet_transaction_id"
        )
    if bet is None or bet.kind is not EntryKind.BET or bet.player_id != player_id:
        raise NotFound("the player has no bet with this id", field="bet_transaction_id")
    return bet


def _version(balance: Balance | None) -> int:
    """The version a write is conditioned on: 0 for a player who has no balance yet."""
    return 0 if balance is None else balance.version


def _moved(balance: Balance | None, entry: LedgerEntry) -> Balance:
    """The balance a write at `balance`'s version leaves: moved by the entry, one version on."""
    held = balance or Balance(entry.player_id, entry.currency, cash=0)
    if entry.funds is Funds.BONUS:
        return replace(held, bonus=held.bonus + entry.signed_amount, version=held.version + 1)
    return replace(held, cash=held.cash + entry.signed_amount, version=held.version + 1)


def _checked(money: Money) -> Money:
    # Money's constructor does not validate; a caller may have built one by hand.
    return Money.of(money.amount, money.currency)


def round_cap_multiple(setting: str | None) -> int:
    """The ROUND_CAP_MULTIPLE setting (a stage's roundCapMultiple): unset or blank is the default."""
    raw = (setting or "").strip()
    if not raw:
        return DEFAULT_ROUND_CAP_MULTIPLE
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_AMOUNT:
        raise ValueError(
            f"ROUND_CAP_MULTIPLE must be a whole number from 1 to {MAX_AMOUNT}, not {raw!r}: "
            "set the stage's roundCapMultiple param in serverless.yml"
        )
    return int(raw)


def _win_amount(money: Money, *, close_round: bool) -> Money:
    """A win's amount: positive, or 0 for the final settlement of a round that pays nothing."""
    if close_round and money.amount == 0 and not isinstance(money.amount, bool):
        Money.of(1, money.currency)  # the currency checked as for any amount
        return Money(0, money.currency)
    return _checked(money)


def _require_round(bet: LedgerEntry, round_id: str | None) -> None:
    """A win or rollback that names a round must name its bet's."""
    if round_id is not None and bet.round_id is not None and round_id != bet.round_id:
        raise NotInRound("the bet is not part of this round", field="round_id")


def _require_id(value: str, field: str) -> None:
    if not value:
        raise ValidationFailed(f"{field} is required", field=field)


__all__ = [
    "DEFAULT_ROUND_CAP_MULTIPLE",
    "EXACT_BALANCE_ATTEMPTS",
    "AlreadyReversed",
    "Balance",
    "BalanceMoved",
    "DomainError",
    "DuplicateTransaction",
    "EntryKind",
    "Funds",
    "FundsShort",
    "IdScope",
    "LedgerEntry",
    "NotInRound",
    "Reconciliation",
    "Round",
    "RoundCapExceeded",
    "RoundClosed",
    "RoundHasWins",
    "SessionRequired",
    "Wallet",
    "WalletReceipt",
    "WalletSnapshot",
    "fingerprint",
    "round_cap_multiple",
]
