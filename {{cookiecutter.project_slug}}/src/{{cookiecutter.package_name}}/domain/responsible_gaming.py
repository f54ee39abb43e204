"""Responsible gaming: deposit, loss and wager limits, self-exclusion, cool-off and the KYC gate.

The wallet asks this module (its guard port, ports.wallet.TransactionGuards) for a TransactionGuard
before it moves money; the ledger store applies the guard (domain.guard) inside the money's own
conditional transaction (the protection's version and status checked, the period counters moved only
while they stay within the limits), so a bet or a deposit is refused by the write itself, never by a
separate read-then-write. Wins and rollbacks get guards that only count: they are never refused, and
withdrawals get no guard at all. A bonus grant's guard checks only the exclusions (bonuses are
marketing), not KYC or limits.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..compliance import LIMITS_POLICY, LimitsPolicy
from .errors import Conflict, CurrencyMismatch, DomainError, NotFound, ValidationFailed
from .events import DomainEvent

# The guard and the records it is checked against live with the wallet (domain.guard), which applies
# them with or without this module; they are this module's vocabulary too, so they are named here.
from .guard import (
    PROTECTION_ATTEMPTS,
    ExcludedFromBonuses,
    KycStatus,
    Limit,
    LimitBreached,
    LimitKind,
    LimitPeriod,
    PendingLimit,
    PeriodCount,
    PlayerProtection,
    ProtectionChanged,
    ProtectionCheckFailed,
    TransactionGuard,
    counter_id,
    first_breach,
    period_key,
    sorted_limits,
)
from .money import CURRENCY_RE, Money

if TYPE_CHECKING:
    from ..ports import Clock, EventPublisher
    from ..ports.responsible_gaming import ProtectionStore

# A raised limit (or a removed one) waits this long, then for the player's confirmation, before it
# applies; a lowered one applies at once.
LIMIT_INCREASE_DELAY = timedelta(hours=24)
# A raise waiting for the player's confirmation is kept with its cooling period's end moved this far
# ahead: the stored protection has no field for "confirmed", and every reader that settles pending
# changes (the wallet's guard included) must never apply it on time alone. Confirming applies it.
AWAITING_CONFIRMATION = timedelta(days=365_000)
# The longest self-exclusion and cool-off a player can ask for here (the minimums are the jurisdiction's,
# compliance.LIMITS_POLICY); an operator's own longer or permanent exclusions are not offered by this API.
MAX_SELF_EXCLUSION_MONTHS = 60
MAX_COOL_OFF_HOURS = 6 * 7 * 24


class KycRequired(DomainError):
    """The player's identity and age are not verified: no bets, no deposits."""

    code = "kyc_required"
    status = 403


class SelfExcluded(DomainError):
    """The player excluded themselves: no bets, no deposits until the exclusion ends."""

    code = "self_excluded"
    status = 403


class CoolingOff(DomainError):
    """The player is taking a break: no bets, no deposits until it ends."""

    code = "cooling_off"
    status = 403


class LimitRaiseCooling(Conflict):
    """The raise is still in its cooling period: it can be confirmed only once that is over."""

    code = "limit_raise_cooling"


class LimitExceeded(DomainError):
    """The transaction would pass one of the player's limits."""

    code = "limit_exceeded"
    status = 422


@dataclass(frozen=True, slots=True)
class LimitChange:
    """The answer to a limit request: applied now, or pending until `effective_at`."""

    kind: LimitKind
    period: LimitPeriod
    amount: int | None
    previous_amount: int | None
    currency: str
    effective_at: datetime
    pending: bool


@dataclass(frozen=True, slots=True)
class ProtectionView:
    """What a player sees: the protection at `now` and how much of each period counter is used."""

    protection: PlayerProtection
    now: datetime
    used: dict[tuple[LimitKind, LimitPeriod], int] = field(default_factory=dict)


class ProtectionService:
    """Limits, exclusions and the KYC gate: changes by the player and the operator, guards for the wallet."""

    def __init__(
        self,
        store: ProtectionStore,
        publisher: EventPublisher,
        clock: Clock,
        source: str,
        policy: LimitsPolicy = LIMITS_POLICY,
    ) -> None:
        self._store = store
        self._publisher = publisher
        self._clock = clock
        self._source = source  # EventBridge Source, e.g. "<package>.responsible_gaming"
        self._policy = policy

    @property
    def policy(self) -> LimitsPolicy:
        return self._policy

    def protection(self, player_id: str) -> ProtectionView:
        """The player's protection as it stands now, with each limit's use in its current period."""
        now = self._clock.now()
        protection = self._current(player_id).settled(now)
        keys = {(limit.kind, limit.period): period_key(limit.period, now) for limit in protection.limits}
        totals = self._store.period_totals(
            player_id, [counter_id(kind, period, key) for (kind, period), key in keys.items()]
        )
        used = {
            (kind, period): totals.get(counter_id(kind, period, key), 0)
            for (kind, period), key in keys.items()
        }
        return ProtectionView(protection, now, used)

    def set_limit(
        self,
        player_id: str,
        kind: LimitKind,
        period: LimitPeriod,
        amount: int | None,
        currency: str,
        *,
        correlation_id: str,
    ) -> LimitChange:
        """Lower (at once), raise or remove (after LIMIT_INCREASE_DELAY) one limit; publishes LimitChanged."""
        if amount is not None:
            amount = Money.of(amount, currency).amount
        elif not isinstance(currency, str) or not CURRENCY_RE.fullmatch(currency):
            raise ValidationFailed("currency must be a three-letter ISO 4217 code", field="currency")
        for attempt in range(1, PROTECTION_ATTEMPTS + 1):
            now = self._clock.now()
            current = self._current(player_id).settled(now)
            self._check_currency(current, currency)
            change, updated = _limit_change(current, kind, period, amount, currency, now)
            if updated is current:
                return change
            try:
                self._store.save_protection(replace(updated, version=current.version + 1))
            except ProtectionCheckFailed:
                if attempt == PROTECTION_ATTEMPTS:
                    raise ProtectionChanged("the limits changed meanwhile; send the request again") from None
                continue
            self._publish(
                "LimitChanged",
                {
                    "player_id": player_id,
                    "limit_kind": kind.value,
                    "period": period.value,
                    "amount": change.amount,
                    "previous_amount": change.previous_amount,
                    "currency": currency,
                    "effective_at": change.effective_at.isoformat(),
                    "pending": change.pending,
                },
                correlation_id,
                now,
            )
            return change
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def confirm_limit(
        self, player_id: str, kind: LimitKind, period: LimitPeriod, *, correlation_id: str
    ) -> LimitChange:
        """Apply a raised or removed limit the player confirms once its cooling period is over.

        Publishes LimitRaiseConfirmed (audited). Refused with NotFound when no raise of that limit is
        waiting, and with LimitRaiseCooling while its cooling period lasts.
        """
        for attempt in range(1, PROTECTION_ATTEMPTS + 1):
            now = self._clock.now()
            current = self._current(player_id).settled(now)
            waiting = [change for change in current.pending if (change.kind, change.period) == (kind, period)]
            if not waiting:
                raise NotFound(f"no raise of the {period.value} {kind.value} limit is waiting", field="kind")
            raise_ = waiting[0]
            cooling_ends_at = cooling_period_end(raise_)
            if cooling_ends_at > now:
                raise LimitRaiseCooling(
                    f"the raise can be confirmed from {cooling_ends_at.isoformat()}", field="period"
                )
            in_force = current.limit(kind, period, now)
            limits = {(limit.kind, limit.period): limit for limit in current.limits}
            if raise_.amount is None:
                limits.pop((kind, period), None)
            else:
                limits[(kind, period)] = Limit(kind, period, raise_.amount, raise_.currency)
            updated = replace(
                current,
                limits=sorted_limits(limits.values()),
                pending=tuple(change for change in current.pending if change is not raise_),
                version=current.version + 1,
            )
            try:
                self._store.save_protection(updated)
            except ProtectionCheckFailed:
                if attempt == PROTECTION_ATTEMPTS:
                    raise ProtectionChanged("the limits changed meanwhile; send the request again") from None
                continue
            change = LimitChange(
                kind,
                period,
                raise_.amount,
                None if in_force is None else in_force.amount,
                raise_.currency,
                now,
                pending=False,
            )
            self._publish(
                "LimitRaiseConfirmed",
                {
                    "player_id": player_id,
                    "limit_kind": kind.value,
                    "period": period.value,
                    "amount": change.amount,
                    "previous_amount": change.previous_amount,
                    "currency": change.currency,
                    "effective_at": now.isoformat(),
                },
                correlation_id,
                now,
            )
            return change
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def self_exclude(self, player_id: str, months: int, *, correlation_id: str) -> PlayerProtection:
        """Exclude the player for `months` (at least the jurisdiction's minimum); never shortens one."""
        months = _whole_number(
            months, "months", self._policy.self_exclusion_min_months, MAX_SELF_EXCLUSION_MONTHS
        )
        return self._block(player_id, "self_exclusion", months=months, correlation_id=correlation_id)

    def cool_off(self, player_id: str, hours: int, *, correlation_id: str) -> PlayerProtection:
        """A break of `hours` (at least the jurisdiction's minimum); never shortens one."""
        hours = _whole_number(hours, "hours", self._policy.cool_off_hours, MAX_COOL_OFF_HOURS)
        return self._block(player_id, "cool_off", hours=hours, correlation_id=correlation_id)

    def set_kyc_status(self, player_id: str, status: KycStatus, *, correlation_id: str) -> PlayerProtection:
        """Record the outcome of the identity and age checks (the KYC provider's callback).

        A change is announced as KycStatusChanged, which the audit trail records: who may play
        changed, whatever the KYC provider's own records say.
        """
        for attempt in range(1, PROTECTION_ATTEMPTS + 1):
            current = self._current(player_id)
            if current.kyc is status:
                return current
            updated = replace(current, kyc=status, version=current.version + 1)
            try:
                self._store.save_protection(updated)
            except ProtectionCheckFailed:
                if attempt == PROTECTION_ATTEMPTS:
                    raise ProtectionChanged(
                        "the protection changed meanwhile; send the request again"
                    ) from None
                continue
            self._publish(
                "KycStatusChanged",
                {"player_id": player_id, "kyc_status": status.value, "previous_status": current.kyc.value},
                correlation_id,
                self._clock.now(),
            )
            return updated
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def guard_stake(
        self, player_id: str, money: Money, *, counted: bool, protection: PlayerProtection | None = None
    ) -> TransactionGuard:
        """The guard of a bet: refuses at once what the protection read now refuses.

        `counted`: the stake is the player's own money (cash), so it counts towards wager and loss
        limits; a bonus stake is still subject to KYC and exclusions, and counts too where the
        jurisdiction's rule says so (LimitsPolicy.bonus_stakes_count_towards_limits).
        """
        now = self._clock.now()
        protection = self._playable(player_id, now, protection)
        kinds = (LimitKind.WAGER, LimitKind.LOSS)
        counts = self._counts(protection, now, money, kinds) if self._counted(counted) else ()
        return TransactionGuard(player_id, counts, protection.version, now)

    def guard_deposit(
        self, player_id: str, money: Money, *, protection: PlayerProtection | None = None
    ) -> TransactionGuard:
        """The guard of a deposit: KYC, exclusions and the deposit limits (`protection`: as read, if read)."""
        now = self._clock.now()
        protection = self._playable(player_id, now, protection)
        counts = self._counts(protection, now, money, (LimitKind.DEPOSIT,))
        return TransactionGuard(player_id, counts, protection.version, now)

    def guard_bonus(self, player_id: str, *, protection: PlayerProtection | None = None) -> TransactionGuard:
        """The guard of a bonus grant: refused while the player is self-excluded or cooling off.

        KYC is not asked (a bonus is not the player's money, and the KYC gate already stops every bet
        and deposit); limits do not count bonuses. The ledger's transaction checks the exclusions again.
        """
        now = self._clock.now()
        protection = self._current(player_id, protection).settled(now)
        if not protection.allows_marketing(now):
            excluded_until = protection.self_excluded_until
            if excluded_until is not None and excluded_until > now:
                raise ExcludedFromBonuses(f"self-excluded until {excluded_until.isoformat()}: no bonuses")
            cooling_off_until = protection.cooling_off_until
            assert cooling_off_until is not None  # not marketable now, and not self-excluded now
            raise ExcludedFromBonuses(f"cooling off until {cooling_off_until.isoformat()}: no bonuses")
        return TransactionGuard(player_id, checked_at=now)

    def check_marketing(self, player_id: str) -> None:
        """Refuse marketing (a tournament entry, a marketing opt-in) while the player is excluded.

        Sign-in, the balance and withdrawals stay open to an excluded player; only what invites play
        is refused. Raises SelfExcluded or CoolingOff (403).
        """
        now = self._clock.now()
        protection = self._current(player_id).settled(now)
        if protection.self_excluded_until is not None and protection.self_excluded_until > now:
            raise SelfExcluded(
                f"self-excluded until {protection.self_excluded_until.isoformat()}: no marketing"
            )
        if protection.cooling_off_until is not None and protection.cooling_off_until > now:
            raise CoolingOff(f"cooling off until {protection.cooling_off_until.isoformat()}: no marketing")

    def guard_win(self, player_id: str, money: Money, *, counted: bool) -> TransactionGuard:
        """A win lowers this period's loss counters (if its stake counted); it is never refused."""
        if not self._counted(counted):
            return TransactionGuard(player_id)
        now = self._clock.now()
        counts = tuple(
            PeriodCount(LimitKind.LOSS, period, period_key(period, now), -money.amount)
            for period in LimitPeriod
        )
        return TransactionGuard(player_id, counts)

    def guard_refund(
        self, player_id: str, money: Money, placed_at: datetime, *, counted: bool
    ) -> TransactionGuard:
        """A rollback takes its stake off the counters of the periods the bet was placed in; never refused."""
        if not self._counted(counted):
            return TransactionGuard(player_id)
        counts = tuple(
            PeriodCount(kind, period, period_key(period, placed_at), -money.amount)
            for kind in (LimitKind.WAGER, LimitKind.LOSS)
            for period in LimitPeriod
        )
        return TransactionGuard(player_id, counts)

    def limit_reached(
        self, guard: TransactionGuard, count: PeriodCount, transaction_id: str, *, correlation_id: str
    ) -> LimitExceeded:
        """Publish LimitReached for a refused transaction and return the error to raise."""
        now = guard.checked_at or self._clock.now()
        protection = self._current(guard.player_id)
        limit = protection.limit(count.kind, count.period, now)
        self._publish(
            "LimitReached",
            {
                "player_id": guard.player_id,
                "transaction_id": transaction_id,
                "limit_kind": count.kind.value,
                "period": count.period.value,
                "limit": count.cap,
                "amount": count.delta,
                "currency": limit.currency if limit is not None else None,
            },
            correlation_id,
            now,
        )
        return LimitExceeded(
            f"this would pass your {count.period.value} {count.kind.value} limit of {count.cap}",
            field="amount",
        )

    def _counted(self, cash: bool) -> bool:
        """Whether play with these funds counts towards limits: cash always, bonus by the jurisdiction."""
        return cash or self._policy.bonus_stakes_count_towards_limits

    def _current(self, player_id: str, known: PlayerProtection | None = None) -> PlayerProtection:
        """The player's protection: `known` when the caller read it already, else read now."""
        if not player_id:
            raise ValidationFailed("player_id is required", field="player_id")
        if known is not None:
            return known
        return self._store.protection(player_id) or PlayerProtection(player_id)

    def _playable(
        self, player_id: str, now: datetime, known: PlayerProtection | None = None
    ) -> PlayerProtection:
        """The protection, if it lets the player bet and deposit now; fails closed otherwise."""
        protection = self._current(player_id, known).settled(now)
        if protection.kyc is not KycStatus.VERIFIED:
            raise KycRequired("the player's identity and age must be verified first")
        if protection.self_excluded_until is not None and protection.self_excluded_until > now:
            raise SelfExcluded(f"self-excluded until {protection.self_excluded_until.isoformat()}")
        if protection.cooling_off_until is not None and protection.cooling_off_until > now:
            raise CoolingOff(f"cooling off until {protection.cooling_off_until.isoformat()}")
        return protection

    def _counts(
        self, protection: PlayerProtection, now: datetime, money: Money, kinds: tuple[LimitKind, ...]
    ) -> tuple[PeriodCount, ...]:
        limits = {(limit.kind, limit.period): limit for limit in protection.limits}
        counts = []
        for kind in kinds:
            for period in LimitPeriod:
                limit = limits.get((kind, period))
                if limit is not None and limit.currency != money.currency:
                    raise CurrencyMismatch(
                        f"the player's limits are set in {limit.currency}", field="currency"
                    )
                counts.append(
                    PeriodCount(
                        kind,
                        period,
                        period_key(period, now),
                        money.amount,
                        None if limit is None else limit.amount,
                    )
                )
        return tuple(counts)

    def _check_currency(self, protection: PlayerProtection, currency: str) -> None:
        balance = self._store.balance(protection.player_id)
        if balance is not None and balance.currency != currency:
            raise CurrencyMismatch(f"the wallet holds {balance.currency}", field="currency")
        currencies = {limit.currency for limit in protection.limits}
        currencies |= {change.currency for change in protection.pending}
        for held in currencies - {currency}:
            raise CurrencyMismatch(f"the player's limits are set in {held}", field="currency")

    def _block(
        self, player_id: str, what: str, *, correlation_id: str, months: int = 0, hours: int = 0
    ) -> PlayerProtection:
        for attempt in range(1, PROTECTION_ATTEMPTS + 1):
            now = self._clock.now()
            current = self._current(player_id)
            until = _add_months(now, months) if months else now + timedelta(hours=hours)
            excluding = what == "self_exclusion"
            ends = current.self_excluded_until if excluding else current.cooling_off_until
            if ends is not None and ends >= until:
                return current  # an exclusion is never shortened, not even by asking again
            if excluding:
                updated = replace(current, version=current.version + 1, self_excluded_until=until)
            else:
                updated = replace(current, version=current.version + 1, cooling_off_until=until)
            try:
                self._store.save_protection(updated)
            except ProtectionCheckFailed:
                if attempt == PROTECTION_ATTEMPTS:
                    raise ProtectionChanged(
                        "the protection changed meanwhile; send the request again"
                    ) from None
                continue
            # One event for both: notifications and marketing stop for a cool-off as for an exclusion.
            self._publish(
                "SelfExclusionStarted",
                {"player_id": player_id, "exclusion": what, "until": until.isoformat()},
                correlation_id,
                now,
            )
            return updated
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _publish(self, name: str, detail: dict[str, Any], correlation_id: str, now: datetime) -> None:
        self._publisher.publish(
            [
                DomainEvent(
                    name=name,
                    source=self._source,
                    detail=detail,
                    correlation_id=correlation_id,
                    occurred_at=now,
                )
            ]
        )


def _limit_change(
    current: PlayerProtection,
    kind: LimitKind,
    period: LimitPeriod,
    amount: int | None,
    currency: str,
    now: datetime,
) -> tuple[LimitChange, PlayerProtection]:
    """The change a limit request makes; `current` itself back when it changes nothing."""
    in_force = current.limit(kind, period, now)
    previous = None if in_force is None else in_force.amount
    others = tuple(change for change in current.pending if (change.kind, change.period) != (kind, period))
    waiting = len(others) != len(current.pending)
    lower = amount is not None and (previous is None or amount < previous)
    if lower or amount == previous:
        assert amount is not None or previous is None
        limits = {(limit.kind, limit.period): limit for limit in current.limits}
        if amount is not None:
            limits[(kind, period)] = Limit(kind, period, amount, currency)
        change = LimitChange(kind, period, amount, previous, currency, now, pending=False)
        if amount == previous and not waiting:
            return change, current  # already in force, nothing waiting: nothing to change
        # A decrease applies at once and cancels a raise that was waiting.
        return change, replace(current, limits=sorted_limits(limits.values()), pending=others)
    # A raise or a removal waits, then needs the player's confirmation, so a player cannot lift a limit
    # in the heat of the moment.
    effective_at = now + LIMIT_INCREASE_DELAY
    waiting_change = PendingLimit(kind, period, amount, currency, effective_at + AWAITING_CONFIRMATION)
    change = LimitChange(kind, period, amount, previous, currency, effective_at, pending=True)
    return change, replace(current, pending=(*others, waiting_change))


def cooling_period_end(change: PendingLimit) -> datetime:
    """When a waiting raise's cooling period ends (from then on the player may confirm it)."""
    return change.effective_at - AWAITING_CONFIRMATION if awaits_confirmation(change) else change.effective_at


def awaits_confirmation(change: PendingLimit) -> bool:
    """Whether the raise applies only once the player confirms it (every raise asked for since then)."""
    # Moved AWAITING_CONFIRMATION (1,000 years) ahead: moved back it still lies after 2000, which no
    # real cooling period's end moved back that far does.
    return change.effective_at - AWAITING_CONFIRMATION > datetime(2000, 1, 1, tzinfo=UTC)


def _whole_number(value: object, name: str, lowest: int, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        raise ValidationFailed(f"{name} must be a whole number from {lowest} to {highest}", field=name)
    return value


def _add_months(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months later (the last day of a shorter month if need be)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


__all__ = [
    "LIMIT_INCREASE_DELAY",
    "PROTECTION_ATTEMPTS",
    "CoolingOff",
    "ExcludedFromBonuses",
    "KycRequired",
    "KycStatus",
    "Limit",
    "LimitBreached",
    "LimitChange",
    "LimitExceeded",
    "LimitKind",
    "LimitPeriod",
    "LimitRaiseCooling",
    "PendingLimit",
    "PeriodCount",
    "PlayerProtection",
    "ProtectionChanged",
    "ProtectionCheckFailed",
    "ProtectionService",
    "ProtectionView",
    "SelfExcluded",
    "TransactionGuard",
    "awaits_confirmation",
    "cooling_period_end",
    "counter_id",
    "first_breach",
    "period_key",
]
