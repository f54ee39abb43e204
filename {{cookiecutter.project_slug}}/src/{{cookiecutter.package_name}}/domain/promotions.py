"""Promotions: bonus rules as data, one grant per player per promotion, and wagering requirements.

The rules are the package's `promotions.json`: each promotion names its trigger (a first deposit,
N bets in a day, a tournament entry), its bonus, currency, wagering multiplier and active window.
A grant is the wallet's `grant_bonus` under the transaction id `promo:<promotion_id>:<player_id>`,
so the ledger itself refuses a second grant of one promotion to one player. A granted bonus owes
`wagering_multiplier x bonus` of wagering, paid down by the stakes of the player's settled bets.
Bonuses are marketing: with player protection the wallet refuses a grant to a player who is
self-excluded or cooling off, and that refusal is a final outcome ("skipped: player excluded"), not a
failure to retry; nothing is recorded.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from .errors import CurrencyMismatch
from .events import DomainEvent
from .money import CURRENCY_RE, MAX_AMOUNT, Money

if TYPE_CHECKING:
    from ..ports import Clock, EventPublisher
    from ..ports.promotions import LedgerReader, PromotionStore
    from .wallet import Balance, LedgerEntry, WalletReceipt

# Promotion ids go into ledger transaction ids and table keys: short, lower-case, nothing to escape.
PROMOTION_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")
# More would be a typo: 100x wagering is already far beyond what regulators accept as fair.
MAX_WAGERING_MULTIPLIER = 100
MAX_MATCH_PERCENT = 1_000
# A stake is counted toward wagering in one transaction with every requirement it moves; a
# requirement changed meanwhile by another stake of the same player means reading them again.
WAGERING_ATTEMPTS = 5
RULES_RESOURCE = "promotions.json"


class Trigger(StrEnum):
    """What makes a player eligible for a promotion's bonus."""

    FIRST_DEPOSIT = "first_deposit"
    BETS_IN_A_DAY = "bets_in_a_day"
    TOURNAMENT_ENTRY = "tournament_entry"


class PromotionRulesError(ValueError):
    """The promotion rules are malformed; the message names the promotion and the field."""


class WageringContention(RuntimeError):
    """A wagering requirement moved between reading it and counting a stake (read again, retry)."""


@dataclass(frozen=True, slots=True)
class Promotion:
    """One promotion of the rules file.

    `bonus` is the bonus in minor units of `currency`; for a deposit match (`match_percent` > 0) it
    is the most the match grants. `bets_required` and `min_stake` apply to bets_in_a_day only.
    """

    promotion_id: str
    title: str
    trigger: Trigger
    currency: str
    bonus: int
    wagering_multiplier: int
    starts_at: datetime
    ends_at: datetime | None = None
    match_percent: int = 0
    bets_required: int = 0
    min_stake: int = 1

    def is_active(self, at: datetime) -> bool:
        """Whether `at` falls in the promotion's window (its end excluded)."""
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)

    def bonus_for(self, deposit: int) -> int:
        """The bonus this promotion grants; a deposit match grants its percentage, up to `bonus`."""
        if self.match_percent:
            return min(deposit * self.match_percent // 100, self.bonus)
        return self.bonus


@dataclass(frozen=True, slots=True)
class BonusGrant:
    """A promotion's bonus granted to a player, and the wagering it still owes."""

    player_id: str
    promotion_id: str
    transaction_id: str
    amount: int
    currency: str
    wagering_required: int
    wagered: int
    granted_at: datetime
    completed_at: datetime | None = None

    @property
    def remaining(self) -> int:
        """Wagering still owed (0 once complete)."""
        return max(self.wagering_required - self.wagered, 0)

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True, slots=True)
class WageringProgress:
    """How one stake moves one grant's wagering: from `before` to `after` (of `required`)."""

    promotion_id: str
    before: int
    after: int
    required: int

    @property
    def completes(self) -> bool:
        return self.after >= self.required


@dataclass(frozen=True, slots=True)
class CountedStake:
    """A settled bet's stake, counted toward wagering once: by which event, completing what."""

    bet_transaction_id: str
    event_id: str
    completed: tuple[str, ...] = ()  # promotion ids whose requirement this stake completed


def bonus_transaction_id(promotion_id: str, player_id: str) -> str:
    """The ledger transaction id of a promotion's grant to a player: one per player per promotion."""
    return f"promo:{promotion_id}:{player_id}"


def wagering_progress(grants: Iterable[BonusGrant], bet: LedgerEntry) -> list[WageringProgress]:
    """Spread a bet's stake over the open requirements it may count toward, oldest grant first.

    A stake counts toward grants in its currency that were granted before the bet was placed; what
    is left after completing one requirement goes on to the next.
    """
    left = bet.amount
    progress: list[WageringProgress] = []
    eligible = sorted(
        (
            grant
            for grant in grants
            if not grant.completed and grant.currency == bet.currency and grant.granted_at <= bet.created_at
        ),
        key=lambda grant: (grant.granted_at, grant.promotion_id),
    )
    for grant in eligible:
        if left <= 0:
            break
        counted = min(left, grant.remaining)
        left -= counted
        after = grant.wagered + counted
        progress.append(WageringProgress(grant.promotion_id, grant.wagered, after, grant.wagering_required))
    return progress


class PromotionBoard:
    """What players see: the promotions running now, and their own grants and wagering."""

    def __init__(self, promotions: Sequence[Promotion], store: PromotionStore, clock: Clock) -> None:
        self._promotions = tuple(promotions)
        self._store = store
        self._clock = clock

    def active_promotions(self, trigger: Trigger | None = None) -> list[Promotion]:
        """The promotions running now (optionally of one trigger), in rules-file order."""
        now = self._clock.now()
        return [
            promotion
            for promotion in self._promotions
            if promotion.is_active(now) and (trigger is None or promotion.trigger is trigger)
        ]

    def player_grants(self, player_id: str) -> list[BonusGrant]:
        """The player's grants with their wagering progress, oldest first."""
        return sorted(self._store.grants(player_id), key=lambda grant: (grant.granted_at, grant.promotion_id))


class GrantedBonus(Protocol):
    """What a wallet answers for a bonus it paid: the amount and currency of the (original) grant."""

    @property
    def amount(self) -> int: ...

    @property
    def currency(self) -> str: ...


class BonusWallet(Protocol):
    """What promotions need of the wallet that holds the player's money: the hosted one or the operator's."""

    def pays_in(self, player_id: str, currency: str) -> bool:
        """Whether a bonus in `currency` goes to a wallet the player already has in that currency."""
        ...

    def grant_bonus(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> GrantedBonus:
        """Credit the bonus once; a replayed transaction id pays nothing more."""
        ...


class HostedWallet(Protocol):
    """The hosted wallet (the Wallet, or one the worker builds on the first grant)."""

    def balance(self, player_id: str) -> Balance | None:
        """The player's balance, or None if the player has never had money."""
        ...

    def grant_bonus(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> WalletReceipt:
        """Credit the bonus once; a replayed transaction id pays nothing more."""
        ...


class HostedBonusWallet:
    """The hosted wallet as the promotions' bonus wallet: its balance tells the player's currency."""

    def __init__(self, wallet: HostedWallet) -> None:
        self._wallet = wallet

    def pays_in(self, player_id: str, currency: str) -> bool:
        # A grant would open a wallet in the promotion's currency and lock the player into it.
        balance = self._wallet.balance(player_id)
        return balance is not None and balance.currency == currency

    def grant_bonus(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> WalletReceipt:
        return self._wallet.grant_bonus(player_id, transaction_id, money, correlation_id=correlation_id)


class PromotionService:
    """Grants bonuses when wallet and tournament events meet a promotion's trigger; tracks wagering.

    Every method is safe to call again with the same event: a bet is counted once per event id, a
    grant is made once per player and promotion, and a stake is counted once per settled bet.
    """

    def __init__(
        self,
        promotions: Sequence[Promotion],
        store: PromotionStore,
        wallet: BonusWallet,
        ledger: LedgerReader | None,
        publisher: EventPublisher,
        clock: Clock,
        source: str,
    ) -> None:
        self._promotions = tuple(promotions)
        self._store = store
        self._wallet = wallet
        self._ledger = ledger  # None in the hybrid mode: the stakes are in the operator's ledger
        self._publisher = publisher
        self._clock = clock
        self._source = source  # EventBridge Source of WageringCompleted, e.g. "<package>.promotions"

    def on_deposit(
        self,
        player_id: str,
        event_id: str,
        deposit: Money,
        occurred_at: datetime,
        *,
        correlation_id: str,
    ) -> list[str]:
        """A FundsDeposited: the player's first deposit earns the first-deposit promotions."""
        # Claimed whatever promotions run: a later deposit is never the first, even once one starts.
        if not self._store.claim_first_deposit(player_id, event_id):
            return ["not the first deposit"]
        return [
            self._grant(promotion, player_id, promotion.bonus_for(deposit.amount), correlation_id)
            for promotion in self._running(Trigger.FIRST_DEPOSIT, occurred_at, deposit.currency)
        ] or ["no first-deposit promotion"]

    def on_bet_placed(
        self,
        player_id: str,
        event_id: str,
        stake: Money,
        occurred_at: datetime,
        *,
        correlation_id: str,
    ) -> list[str]:
        """A BetPlaced: count it toward each bets-in-a-day promotion; grant on the day's Nth bet."""
        outcomes = []
        day = occurred_at.astimezone(UTC).date().isoformat()
        for promotion in self._running(Trigger.BETS_IN_A_DAY, occurred_at, stake.currency):
            name = promotion.promotion_id
            if stake.amount < promotion.min_stake:
                outcomes.append(f"{name}: stake below the minimum")
            elif self._store.grant(player_id, name) is not None:
                outcomes.append(f"{name}: already granted")
            elif self._store.count_bet(player_id, name, day, event_id) < promotion.bets_required:
                outcomes.append(f"{name}: bet counted")
            else:
                outcomes.append(self._grant(promotion, player_id, promotion.bonus, correlation_id))
        return outcomes or ["no bets-in-a-day promotion"]

    def on_tournament_entered(
        self, player_id: str, occurred_at: datetime, *, correlation_id: str
    ) -> list[str]:
        """A TournamentEntered: the entry earns the tournament-entry promotions."""
        return [
            self._grant(promotion, player_id, promotion.bonus, correlation_id)
            for promotion in self._running(Trigger.TOURNAMENT_ENTRY, occurred_at, currency=None)
        ] or ["no tournament-entry promotion"]

    def on_bet_settled(
        self, player_id: str, event_id: str, bet_transaction_id: str, *, correlation_id: str
    ) -> list[str]:
        """A BetSettled: the settled bet's stake pays down the player's open wagering requirements.

        The stake is counted once per bet (a second win on the same bet adds nothing), and the
        requirements it completes are announced as WageringCompleted with `correlation_id`.
        In the hybrid mode the stakes stay in the operator's ledger, and so does the wagering of the
        bonuses its wallet holds: nothing is counted here.
        """
        if self._ledger is None:
            return ["wagering tracked by the operator's wallet"]
        # Imported here: in the hybrid mode the hosted wallet's domain is not packaged with the worker.
        from .wallet import EntryKind, IdScope

        bet = self._ledger.entry(player_id, IdScope.GAME, bet_transaction_id)
        if bet is None or bet.kind is not EntryKind.BET or bet.player_id != player_id:
            return ["not a bet of the player"]
        for _ in range(WAGERING_ATTEMPTS):
            grants = {grant.promotion_id: grant for grant in self._store.grants(player_id)}
            progress = wagering_progress(grants.values(), bet)
            if not progress:
                # Nothing open: perhaps because this very event completed it before a crash.
                counted = self._store.counted_stake(player_id, bet_transaction_id)
            else:
                stake = CountedStake(
                    bet_transaction_id,
                    event_id,
                    tuple(step.promotion_id for step in progress if step.completes),
                )
                try:
                    counted = self._store.count_stake(player_id, stake, progress, self._clock.now())
                except WageringContention:
                    continue
            return self._announce_completion(grants, counted, event_id, correlation_id)
        raise WageringContention(f"the wagering of {player_id} kept moving; try the event again")

    def _running(self, trigger: Trigger, at: datetime, currency: str | None) -> list[Promotion]:
        return [
            promotion
            for promotion in self._promotions
            if promotion.trigger is trigger
            and promotion.is_active(at)
            and (currency is None or promotion.currency == currency)
        ]

    def _grant(self, promotion: Promotion, player_id: str, amount: int, correlation_id: str) -> str:
        """Grant the promotion's bonus once; the wallet publishes BonusGranted with `correlation_id`."""
        name = promotion.promotion_id
        if amount <= 0:
            return f"{name}: nothing to grant"
        if self._store.grant(player_id, name) is not None:
            return f"{name}: already granted"
        if not self._wallet.pays_in(player_id, promotion.currency):
            return f"{name}: no wallet in {promotion.currency}"
        transaction_id = bonus_transaction_id(name, player_id)
        from .guard import ExcludedFromBonuses  # the guard port's refusal; loaded on the first grant

        try:
            receipt = self._wallet.grant_bonus(
                player_id, transaction_id, Money.of(amount, promotion.currency), correlation_id=correlation_id
            )
        except CurrencyMismatch:
            return f"{name}: no wallet in {promotion.currency}"
        except ExcludedFromBonuses:
            # Self-excluded or cooling off: no bonus and no grant recorded; the event is done with.
            return f"{name}: skipped: player excluded"
        now = self._clock.now()
        # A replay carries the original grant: its amount, not today's rule, is what is owed on.
        required = receipt.amount * promotion.wagering_multiplier
        self._store.record_grant(
            BonusGrant(
                player_id=player_id,
                promotion_id=name,
                transaction_id=transaction_id,
                amount=receipt.amount,
                currency=receipt.currency,
                wagering_required=required,
                wagered=0,
                granted_at=now,
                completed_at=now if required == 0 else None,
            )
        )
        return f"{name}: granted"

    def _announce_completion(
        self,
        grants: dict[str, BonusGrant],
        counted: CountedStake | None,
        event_id: str,
        correlation_id: str,
    ) -> list[str]:
        if counted is None:
            return ["no open wagering requirement"]
        if counted.event_id != event_id:
            return ["stake already counted"]
        # Published again when the event is redelivered: the events' ids are the same, so the
        # first publish and its repeat are one event to whoever deduplicates by id.
        events = [
            self._completed(grants[promotion_id], correlation_id)
            for promotion_id in counted.completed
            if promotion_id in grants
        ]
        if events:
            self._publisher.publish(events)
        completed = [f"{promotion_id}: wagering completed" for promotion_id in counted.completed]
        return ["stake counted", *completed]

    def _completed(self, grant: BonusGrant, correlation_id: str) -> DomainEvent:
        return DomainEvent(
            name="WageringCompleted",
            source=self._source,
            detail={
                "player_id": grant.player_id,
                "promotion_id": grant.promotion_id,
                "bonus_transaction_id": grant.transaction_id,
                "amount": grant.amount,
                "currency": grant.currency,
                "wagering_required": grant.wagering_required,
            },
            correlation_id=correlation_id,
            occurred_at=self._clock.now(),
        )


def packaged_promotions() -> tuple[Promotion, ...]:
    """The promotions of the package's rules file, promotions.json."""
    # A file beside the package's modules, read as a file: every platform runs the code unpacked, and
    # importlib.resources would add about 8 ms of imports to the workers' cold start (docs/benchmarks.md).
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(package_dir, RULES_RESOURCE), encoding="utf-8") as rules:
        return parse_promotions(rules.read())


def parse_promotions(text: str) -> tuple[Promotion, ...]:
    """Read and check a rules file: {"promotions": [...]}; every refusal names promotion and field."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise PromotionRulesError(f"the promotion rules are not valid JSON: {error}") from None
    if not isinstance(document, dict) or set(document) != {"promotions"}:
        raise PromotionRulesError('the promotion rules must be one object: {"promotions": [...]}')
    rules = document["promotions"]
    if not isinstance(rules, list):
        raise PromotionRulesError("promotions must be a list")
    promotions = tuple(_promotion(rule, index) for index, rule in enumerate(rules))
    seen: set[str] = set()
    for promotion in promotions:
        if promotion.promotion_id in seen:
            raise PromotionRulesError(f"promotion {promotion.promotion_id!r} appears twice")
        seen.add(promotion.promotion_id)
    return promotions


# Fields every promotion has, and those only its trigger has (None: required; else the default).
_COMMON_FIELDS = ("promotion_id", "title", "trigger", "currency", "bonus", "wagering_multiplier", "starts_at")
_TRIGGER_FIELDS: dict[Trigger, dict[str, int | None]] = {
    Trigger.FIRST_DEPOSIT: {"match_percent": None},
    Trigger.BETS_IN_A_DAY: {"bets_required": None, "min_stake": 1},
    Trigger.TOURNAMENT_ENTRY: {},
}
# The range of every whole-number field.
_LIMITS = {
    "bonus": (1, MAX_AMOUNT),
    "wagering_multiplier": (0, MAX_WAGERING_MULTIPLIER),
    "match_percent": (1, MAX_MATCH_PERCENT),
    "bets_required": (1, 10_000),
    "min_stake": (1, MAX_AMOUNT),
}


class _Rule:
    """One promotion's raw rule, read field by field; every refusal names the promotion and field."""

    def __init__(self, rule: dict[str, Any], index: int) -> None:
        self.rule = rule
        name = rule.get("promotion_id")
        self.where = f"promotion {name!r}" if isinstance(name, str) else f"promotions[{index}]"

    def refuse(self, field: str, why: str) -> PromotionRulesError:
        return PromotionRulesError(f"{self.where}: {field} {why}")

    def text(self, field: str) -> str:
        value = self.rule[field]
        if not isinstance(value, str) or not value.strip():
            raise self.refuse(field, "must be a non-empty string")
        return value.strip()

    def whole_number(self, field: str, default: int | None = None) -> int:
        value = self.rule.get(field, default)
        low, high = _LIMITS[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.refuse(field, f"must be a whole number from {low} to {high}")
        return value

    def moment(self, field: str) -> datetime:
        value = self.rule[field]
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise self.refuse(field, "must be an ISO 8601 date and time with its UTC offset")
        return moment


def _promotion(raw: object, index: int) -> Promotion:
    if not isinstance(raw, dict):
        raise PromotionRulesError(f"promotions[{index}] must be an object")
    rule = _Rule(raw, index)
    promotion_id = raw.get("promotion_id")
    if not isinstance(promotion_id, str) or not PROMOTION_ID_RE.fullmatch(promotion_id):
        raise rule.refuse("promotion_id", "must be 1-48 lower-case letters, digits or hyphens")
    triggers = [trigger.value for trigger in Trigger]
    if not isinstance(raw.get("trigger"), str) or raw["trigger"] not in triggers:
        raise rule.refuse("trigger", f"must be one of {', '.join(triggers)}")
    trigger = Trigger(raw["trigger"])
    specific = _TRIGGER_FIELDS[trigger]
    unknown = sorted(set(raw) - {*_COMMON_FIELDS, *specific, "ends_at"})
    if unknown:
        raise rule.refuse(unknown[0], f"is not a field of a {trigger.value} promotion")
    for field in (*_COMMON_FIELDS, *(name for name, default in specific.items() if default is None)):
        if field not in raw:
            raise rule.refuse(field, "is required")
    currency = raw["currency"]
    if not isinstance(currency, str) or not CURRENCY_RE.fullmatch(currency):
        raise rule.refuse("currency", "must be a three-letter ISO 4217 code")
    starts_at = rule.moment("starts_at")
    ends_at = None if raw.get("ends_at") is None else rule.moment("ends_at")
    if ends_at is not None and ends_at <= starts_at:
        raise rule.refuse("ends_at", "must be after starts_at")
    extras = {name: rule.whole_number(name, default) for name, default in specific.items()}
    return Promotion(
        promotion_id=promotion_id,
        title=rule.text("title"),
        trigger=trigger,
        currency=currency,
        bonus=rule.whole_number("bonus"),
        wagering_multiplier=rule.whole_number("wagering_multiplier"),
        starts_at=starts_at,
        ends_at=ends_at,
        match_percent=extras.get("match_percent", 0),
        bets_required=extras.get("bets_required", 0),
        min_stake=extras.get("min_stake", 1),
    )
