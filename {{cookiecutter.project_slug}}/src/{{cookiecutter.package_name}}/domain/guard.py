"""The transaction guard: what the ledger checks and moves in the same atomic write as the money.

The wallet asks a guard port (ports.wallet.TransactionGuards) for a guard before every write, and the
ledger store applies it inside the money's own conditional transaction: the player's protection record
still at the guard's version, KYC verified, neither excluded nor cooling off, and the period counters
moved only while they stay within their caps. So a refused bet or deposit is refused by the write
itself, never by a separate read-then-write, and the wallet makes one write per money operation.

Without player protection the wallet's guards come from NO_PROTECTION: they check and count nothing,
and the store writes exactly the money. Player protection (domain.responsible_gaming) supplies the real
guards; the records the guards are checked against (PlayerProtection, its limits and the counters) are
kept by the ledger's store, next to the balances they guard, so they are defined here with the guard.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from .errors import Conflict, DomainError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .money import Money

# How often a guarded write is tried again when the protection changed between its read and its write.
PROTECTION_ATTEMPTS = 2


class KycStatus(StrEnum):
    """Where a player's identity and age checks stand; only VERIFIED may bet or deposit."""

    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class LimitKind(StrEnum):
    """What a limit caps: money paid in, stakes minus wins, or stakes."""

    DEPOSIT = "deposit"
    LOSS = "loss"
    WAGER = "wager"


class LimitPeriod(StrEnum):
    """The calendar period a limit counts over (UTC; weeks start on Monday)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def period_key(period: LimitPeriod, at: datetime) -> str:
    """The period `at` falls in: 2030-01-01, 2030-W01 or 2030-01."""
    moment = at.astimezone(UTC)
    if period is LimitPeriod.DAY:
        return moment.date().isoformat()
    if period is LimitPeriod.WEEK:
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{moment.year}-{moment.month:02d}"


@dataclass(frozen=True, slots=True)
class Limit:
    """A cap on one kind of money movement per period, in minor units of the wallet's currency."""

    kind: LimitKind
    period: LimitPeriod
    amount: int
    currency: str


@dataclass(frozen=True, slots=True)
class PendingLimit:
    """A raised or removed limit (amount None) waiting for its cooling period to pass."""

    kind: LimitKind
    period: LimitPeriod
    amount: int | None
    currency: str
    effective_at: datetime


@dataclass(frozen=True, slots=True)
class PlayerProtection:
    """A player's KYC status, limits and exclusions; `version` grows by one with every change.

    Version 0 is a player with nothing stored yet: unverified, so the KYC gate refuses them.
    """

    player_id: str
    kyc: KycStatus = KycStatus.UNVERIFIED
    limits: tuple[Limit, ...] = ()
    pending: tuple[PendingLimit, ...] = ()
    self_excluded_until: datetime | None = None
    cooling_off_until: datetime | None = None
    version: int = 0

    @property
    def blocked_until(self) -> datetime | None:
        """The end of the later of the self-exclusion and the cool-off (None: neither)."""
        ends = [end for end in (self.self_excluded_until, self.cooling_off_until) if end is not None]
        return max(ends) if ends else None

    def settled(self, now: datetime) -> PlayerProtection:
        """The same protection with every pending change whose time has come applied."""
        due = [change for change in self.pending if change.effective_at <= now]
        if not due:
            return self
        limits = {(limit.kind, limit.period): limit for limit in self.limits}
        for change in sorted(due, key=by_effective_at):
            if change.amount is None:
                limits.pop((change.kind, change.period), None)
            else:
                limits[(change.kind, change.period)] = Limit(
                    change.kind, change.period, change.amount, change.currency
                )
        return replace(
            self,
            limits=sorted_limits(limits.values()),
            pending=tuple(change for change in self.pending if change.effective_at > now),
        )

    def limit(self, kind: LimitKind, period: LimitPeriod, now: datetime) -> Limit | None:
        """The limit in force at `now` (pending changes due by then included)."""
        for limit in self.settled(now).limits:
            if (limit.kind, limit.period) == (kind, period):
                return limit
        return None

    def allows_marketing(self, now: datetime) -> bool:
        """Whether the player may be sent offers and bonuses: not while excluded or cooling off."""
        blocked_until = self.blocked_until
        return blocked_until is None or blocked_until <= now


@dataclass(frozen=True, slots=True)
class PeriodCount:
    """One period counter a transaction moves, and the cap it must stay within (None: no limit).

    Counters always run (a limit set today counts today's play before it), in the wallet's currency.
    """

    kind: LimitKind
    period: LimitPeriod
    key: str  # period_key() of the transaction's time
    delta: int
    cap: int | None = None

    @property
    def counter_id(self) -> str:
        return counter_id(self.kind, self.period, self.key)


def counter_id(kind: LimitKind, period: LimitPeriod, key: str) -> str:
    """The name of one player's counter of one kind in one period, e.g. wager#day#2030-01-01."""
    return f"{kind.value}#{period.value}#{key}"


@dataclass(frozen=True, slots=True)
class TransactionGuard:
    """What the ledger store checks and moves in the same transaction as the money.

    `version` set: the player's protection must still be at this version, KYC verified and neither
    excluded nor cooling off at `checked_at`. `checked_at` alone (a bonus grant's guard): the player must
    be neither excluded nor cooling off at that time, whatever the version and KYC status; a player with
    no protection stored passes. Each count moves its counter, only within its cap.
    """

    player_id: str
    counts: tuple[PeriodCount, ...] = ()
    version: int | None = None
    checked_at: datetime | None = None

    @property
    def checks_protection(self) -> bool:
        """Whether the store checks the player's protection record (not only counters)."""
        return self.version is not None or self.checked_at is not None


def first_breach(guard: TransactionGuard) -> PeriodCount | None:
    """A count that passes its cap on its own (a store's condition only sees counters that exist)."""
    for count in guard.counts:
        if count.cap is not None and count.delta > count.cap:
            return count
    return None


class ProtectionCheckFailed(Exception):
    """Raised by a store when the protection a guard was made against changed (adapter-level signal)."""


class LimitBreached(Exception):
    """Raised by a store when a counter would pass its cap; nothing was written."""

    def __init__(self, count: PeriodCount) -> None:
        super().__init__(count.counter_id)
        self.count = count


class ProtectionChanged(Conflict):
    """The player's protection kept changing while the transaction was being written; try again."""

    code = "protection_changed"


class ExcludedFromBonuses(DomainError):
    """The player is self-excluded or cooling off: bonuses are marketing, none until it ends.

    A final answer for a promotion or mission reward, not a failure to retry; nothing was written.
    """

    code = "excluded_from_bonuses"
    status = 403


class Unprotected:
    """The guard port without player protection: every guard checks and counts nothing, nothing is refused."""

    def guard_deposit(
        self, player_id: str, money: Money, *, protection: PlayerProtection | None = None
    ) -> TransactionGuard:
        return TransactionGuard(player_id)

    def guard_bonus(self, player_id: str, *, protection: PlayerProtection | None = None) -> TransactionGuard:
        return TransactionGuard(player_id)

    def guard_stake(
        self, player_id: str, money: Money, *, counted: bool, protection: PlayerProtection | None = None
    ) -> TransactionGuard:
        return TransactionGuard(player_id)

    def guard_win(self, player_id: str, money: Money, *, counted: bool) -> TransactionGuard:
        return TransactionGuard(player_id)

    def guard_refund(
        self, player_id: str, money: Money, placed_at: datetime, *, counted: bool
    ) -> TransactionGuard:
        return TransactionGuard(player_id)

    def limit_reached(
        self, guard: TransactionGuard, count: PeriodCount, transaction_id: str, *, correlation_id: str
    ) -> DomainError:
        # Its guards carry no caps, so no store raises LimitBreached for them.
        raise AssertionError(f"no limit applies without player protection ({count.counter_id})")


# The wallet's guard port when no player protection is given (tests of other modules, wallet-only projects).
NO_PROTECTION = Unprotected()


def sorted_limits(limits: Iterable[Limit]) -> tuple[Limit, ...]:
    """Limits in one stable order (kind, then period), as stored."""
    return tuple(sorted(limits, key=lambda limit: (limit.kind.value, limit.period.value)))


def by_effective_at(change: PendingLimit) -> datetime:
    """Sort key of pending changes: the one due first applies first."""
    return change.effective_at


__all__ = [
    "NO_PROTECTION",
    "PROTECTION_ATTEMPTS",
    "ExcludedFromBonuses",
    "KycStatus",
    "Limit",
    "LimitBreached",
    "LimitKind",
    "LimitPeriod",
    "PendingLimit",
    "PeriodCount",
    "PlayerProtection",
    "ProtectionChanged",
    "ProtectionCheckFailed",
    "TransactionGuard",
    "Unprotected",
    "by_effective_at",
    "counter_id",
    "first_breach",
    "period_key",
    "sorted_limits",
]
