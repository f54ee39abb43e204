"""The wallet module's ports: the ledger's store, and the guard port player protection plugs into."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ..domain.errors import DomainError
from ..domain.guard import PeriodCount, PlayerProtection, TransactionGuard
from ..domain.money import Money
from ..domain.wallet import Balance, IdScope, LedgerEntry, Round, WalletSnapshot


class LedgerStore(Protocol):
    """The wallet's ledger and balances; the ledger is also the idempotency store.

    Every method that writes is one atomic, conditional operation: the ledger entry is written
    only if its transaction id is new, and the balance moves only if it stays >= 0. Each entry
    moves the one balance its `funds` names (cash or bonus); the other is never touched.

    Each write below also applies its guard in the same atomic operation: the guard's protection
    version checked (KYC verified, not excluded at its time; a bonus grant's guard without a version:
    only not excluded) and its period counters moved within their caps. ProtectionCheckFailed or
    LimitBreached then, and nothing is written. A guard that checks and counts nothing (the guard port
    without player protection, domain.guard.NO_PROTECTION), or none, adds nothing to the write.

    Entries with a `round_id` move their round's record in the same atomic operation (domain.wallet.Round):
    a bet adds its stake and its `round_payable` (refused with RoundClosed on a closed round); a win adds
    what it pays and takes it off the round's payable headroom, refused with RoundClosed on a closed round
    and RoundCapExceeded when the headroom is short (NotInRound when the round has no record), and closes
    the round when it `closes_round`; a rollback takes its bet's stake and payable back, refused with
    RoundHasWins once the round has paid anything.

    A bet with a `session_check` is written only if that session is active and the player's, checked
    in the same atomic operation (SessionRequired otherwise).

    `at_version` (credit, debit, reverse): the write is also conditioned on the balance being at that
    version (0: no balance, or one written before balances had versions); BalanceMoved with the balance
    as found otherwise, and nothing is written. Every write of a balance moves its version by one, with
    or without `at_version`.
    """

    def snapshot(
        self,
        player_id: str,
        scope: IdScope,
        transaction_id: str,
        *,
        bet_transaction_id: str | None = None,
        protection: bool = False,
    ) -> WalletSnapshot:
        """In ONE request: the balance, the entry under `transaction_id` in `scope`, the entry under
        `bet_transaction_id` (game scope) if named, and the player's protection if `protection`.

        Strongly consistent reads; not one isolated snapshot (the write's conditions check each value).
        """
        ...

    def balance(self, player_id: str) -> Balance | None:
        """The player's balance, or None if the player has never had money."""
        ...

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        """The player's ledger entry with this id in this scope (tombstones included).

        Transaction ids are unique per player and per scope (`IdScope`), never across them.
        """
        ...

    def round(self, player_id: str, round_id: str) -> Round | None:
        """The player's round with this id, or None if no bet of it was ever written."""
        ...

    def credit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        """Write `entry` and add its amount to its `funds` balance, creating the balance if needed.

        Raises DuplicateTransaction if the transaction id exists, CurrencyMismatch if the
        wallet holds another currency, and for a win AlreadyReversed if its bet (the entry's
        reference) is missing or rolled back when the write commits.
        """
        ...

    def debit(
        self, entry: LedgerEntry, guard: TransactionGuard | None = None, at_version: int | None = None
    ) -> None:
        """Write `entry` and subtract its amount from its `funds` balance only if that stays >= 0.

        What bets and withdrawals write (a withdrawal's funds are always cash).

        Raises DuplicateTransaction if the transaction id exists (a tombstone included),
        InsufficientFunds if that balance would go below zero (or there is no balance),
        CurrencyMismatch if the wallet holds another currency.
        """
        ...

    def reverse(
        self,
        rollback: LedgerEntry,
        bet: LedgerEntry,
        guard: TransactionGuard | None = None,
        at_version: int | None = None,
    ) -> None:
        """Write `rollback`, mark `bet` as rolled back and give its amount back, atomically.

        The amount goes back to the rollback's `funds` balance (the wallet sets it to the bet's).

        Raises DuplicateTransaction if the rollback id exists, AlreadyReversed if the bet was
        rolled back by another transaction.
        """
        ...

    def tombstone(self, rollback: LedgerEntry, tombstone: LedgerEntry) -> None:
        """Write `rollback` and a tombstone under the unknown bet's id, atomically.

        Raises DuplicateTransaction if either id exists (the bet may have just arrived).
        """
        ...

    def entries(self, player_id: str) -> list[LedgerEntry]:
        """Every ledger entry of the player, oldest first (for reconciliation)."""
        ...


class ActiveSessions(Protocol):
    """Where the in-memory ledger finds whether a session is live and whose (the sessions' store)."""

    def is_active_for(self, session_id: str, player_id: str) -> bool:
        """Whether the session exists, is active and is the player's."""
        ...


class TransactionGuards(Protocol):
    """The guard port: what the wallet asks before each money write (player protection answers).

    Each method returns the guard the ledger applies in the write itself, or raises the refusal at
    once (a DomainError: KYC, exclusions, a stake above a limit). Withdrawals ask nothing: players can
    always take their money out. domain.guard.NO_PROTECTION answers every call with a guard that checks
    and counts nothing; domain.responsible_gaming.ProtectionService is the real one.
    """

    def guard_deposit(
        self, player_id: str, money: Money, *, protection: PlayerProtection | None = None
    ) -> TransactionGuard:
        """The guard of a deposit (fails closed: KYC, exclusions, deposit limits).

        `protection` (here and below): the player's protection as the wallet read it with the operation
        (LedgerStore.snapshot), so the guard reads nothing; None: the guard reads it.
        """
        ...

    def guard_bonus(self, player_id: str, *, protection: PlayerProtection | None = None) -> TransactionGuard:
        """The guard of a bonus grant (marketing: refused while the player is excluded)."""
        ...

    def guard_stake(
        self, player_id: str, money: Money, *, counted: bool, protection: PlayerProtection | None = None
    ) -> TransactionGuard:
        """The guard of a bet; `counted`: the stake is cash, so it counts towards wager and loss limits."""
        ...

    def guard_win(self, player_id: str, money: Money, *, counted: bool) -> TransactionGuard:
        """The guard of a win: only counts, never refuses."""
        ...

    def guard_refund(
        self, player_id: str, money: Money, placed_at: datetime, *, counted: bool
    ) -> TransactionGuard:
        """The guard of a rollback of a bet placed at `placed_at`: only counts, never refuses."""
        ...

    def limit_reached(
        self, guard: TransactionGuard, count: PeriodCount, transaction_id: str, *, correlation_id: str
    ) -> DomainError:
        """The store refused `guard`'s `count` (LimitBreached): tell whoever must know, return the refusal."""
        ...
