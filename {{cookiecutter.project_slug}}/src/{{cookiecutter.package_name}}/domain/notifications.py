"""Notifications: what the casino tells a player about, through one channel, once per event.

Service messages (reality check due, limit reached, self-exclusion started) are always sent: they are
part of protecting the player. Marketing messages (bonus granted, big win) go only to players who
allow marketing and are not self-excluded. Each incoming event is delivered at most once in normal
operation: a delivery is claimed (a marker with a short lease) before the channel is called and
marked done after it; a failed send gives the claim back so the event is retried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .errors import DomainError, ValidationFailed
from .events import DomainEvent

if TYPE_CHECKING:
    from ..ports import Clock, EventPublisher, MarketingGate
    from ..ports.notifications import NotificationChannel, NotificationStore

# A self-exclusion without an end date lasts until the player's account says otherwise.
INDEFINITELY = datetime.max.replace(tzinfo=UTC)
# A claimed delivery not marked done within this time is taken to have died with its worker (the
# worker's timeout is 30 s); the next delivery of the event sends it again rather than lose it.
CLAIM_LEASE = timedelta(seconds=60)
# A win of at least this many minor units is a big win, unless the settings say otherwise.
DEFAULT_BIG_WIN_THRESHOLD = 100_000
MAX_EMAIL_LENGTH = 254
EMAIL_RE = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
# Currencies whose minor unit is not a hundredth (ISO 4217); the rest have two decimals.
_DECIMALS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3}


class NotificationKind(StrEnum):
    """Whether a player can decline the message."""

    SERVICE = "service"  # protection and account messages: always sent
    MARKETING = "marketing"  # only with the player's consent, never while self-excluded


class Reason(StrEnum):
    """Why the player is told something: one per event the notifications worker reacts to."""

    REALITY_CHECK_DUE = "reality_check_due"
    LIMIT_REACHED = "limit_reached"
    SELF_EXCLUSION_STARTED = "self_exclusion_started"
    BONUS_GRANTED = "bonus_granted"
    BIG_WIN = "big_win"


KIND_OF = {
    Reason.REALITY_CHECK_DUE: NotificationKind.SERVICE,
    Reason.LIMIT_REACHED: NotificationKind.SERVICE,
    Reason.SELF_EXCLUSION_STARTED: NotificationKind.SERVICE,
    Reason.BONUS_GRANTED: NotificationKind.MARKETING,
    Reason.BIG_WIN: NotificationKind.MARKETING,
}


class Delivery(StrEnum):
    """What became of one incoming event."""

    SENT = "sent"
    ALREADY_SENT = "already_sent"  # a redelivery: the player was told once already
    SUPPRESSED = "suppressed"  # marketing the player declined, or self-excluded
    UNDELIVERABLE = "undeliverable"  # the channel has no way to reach this player
    IGNORED = "ignored"  # nothing to tell (e.g. an ordinary win)


class ClaimStatus(StrEnum):
    """Answer of the store to a claim on a delivery."""

    CLAIMED = "claimed"  # this worker sends it
    DONE = "done"  # already sent (or found undeliverable)
    BUSY = "busy"  # another worker holds an unexpired claim


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim's status and, for a finished delivery, how it ended."""

    status: ClaimStatus
    outcome: Delivery | None = None


@dataclass(frozen=True, slots=True)
class NotificationPreferences:
    """A player's choices, and the self-exclusion the notifications worker has seen.

    `marketing` is None until the player chooses; the service's default applies meanwhile.
    """

    player_id: str
    marketing: bool | None = None
    email: str | None = None
    excluded_until: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to one player; its id is the id of the event that caused it."""

    notification_id: str
    player_id: str
    reason: Reason
    subject: str
    text: str
    correlation_id: str

    @property
    def kind(self) -> NotificationKind:
        return KIND_OF[self.reason]


class Undeliverable(Exception):
    """Raised by a channel that cannot reach the player (e.g. e-mail without an address)."""


class DeliveryInProgress(RuntimeError):
    """Another worker is sending this notification right now; the event is retried later."""


class UnreadableEvent(ValueError):
    """The event lacks what a notification needs (its player, its id)."""


@dataclass(frozen=True, slots=True)
class PreferencesUpdate:
    """What a player changes: a field left None is kept; `forget_email` removes the address."""

    marketing: bool | None = None
    email: str | None = None
    forget_email: bool = False


class ExcludedFromMarketing(DomainError):
    """The player is self-excluded: they cannot opt into marketing until the exclusion ends."""

    code = "self_excluded"
    status = 403


class NotificationService:
    """Turns events into notifications, honours consent and self-exclusion, delivers each once."""

    def __init__(
        self,
        store: NotificationStore,
        channel: NotificationChannel,
        publisher: EventPublisher,
        clock: Clock,
        source: str,
        *,
        big_win_threshold: int = DEFAULT_BIG_WIN_THRESHOLD,
        marketing_default: bool = False,
        marketing: MarketingGate | None = None,
    ) -> None:
        # Player protection, where the project has it: its own record of exclusions and cool-offs,
        # read at once (this module's copy arrives with the SelfExclusionStarted event).
        self._marketing = marketing
        self._store = store
        self._channel = channel
        self._publisher = publisher
        self._clock = clock
        self._source = source  # EventBridge Source of NotificationSent, e.g. "<package>.notifications"
        self._big_win_threshold = big_win_threshold
        # Without a recorded choice, marketing is withheld unless the operator decided otherwise: consent
        # to electronic marketing is opt-in under GDPR/PECR (UKGC, MGA).
        self._marketing_default = marketing_default

    def preferences(self, player_id: str) -> NotificationPreferences:
        """The player's preferences, with the default marketing choice filled in."""
        stored = self._store.preferences(player_id) or NotificationPreferences(player_id)
        if stored.marketing is None:
            return NotificationPreferences(
                player_id,
                self._marketing_default,
                stored.email,
                stored.excluded_until,
                stored.updated_at,
            )
        return stored

    def update_preferences(self, player_id: str, update: PreferencesUpdate) -> NotificationPreferences:
        """Record the player's choices; what the update leaves out stays as it was.

        Opting into marketing is refused while the player is self-excluded (or, with player protection,
        cooling off): consent given then could be used the moment the exclusion ends.
        """
        if update.email is not None:
            validate_email(update.email)
        current = self._store.preferences(player_id) or NotificationPreferences(player_id)
        if update.marketing:
            if self._marketing is not None:
                self._marketing.check_marketing(player_id)
            if current.excluded_until is not None and current.excluded_until > self._clock.now():
                raise ExcludedFromMarketing(
                    "self-excluded: marketing cannot be turned on until the exclusion ends", field="marketing"
                )
        marketing = current.marketing if update.marketing is None else update.marketing
        email = None if update.forget_email else (update.email or current.email)
        self._store.set_choices(player_id, marketing, email, self._clock.now())
        return self.preferences(player_id)

    def marketing_allowed(self, player_id: str) -> bool:
        """Whether a marketing message may go to the player now."""
        preferences = self.preferences(player_id)
        excluded = preferences.excluded_until is not None and preferences.excluded_until > self._clock.now()
        return bool(preferences.marketing) and not excluded

    def handle(self, name: str, detail: dict[str, Any], *, event_id: str, correlation_id: str) -> Delivery:
        """React to one event: record a self-exclusion, then tell the player once, if they may be told."""
        if not event_id:
            raise UnreadableEvent("the event has no event_id")
        notification = self._compose(name, detail, event_id, correlation_id)
        if notification is None:
            return Delivery.IGNORED
        if notification.reason is Reason.SELF_EXCLUSION_STARTED:
            # Recorded before anything is sent: from now on no marketing reaches the player.
            self._store.record_exclusion(notification.player_id, _exclusion_end(detail))
        if notification.kind is NotificationKind.MARKETING and not self.marketing_allowed(
            notification.player_id
        ):
            return Delivery.SUPPRESSED
        return self._deliver_once(notification)

    def _deliver_once(self, notification: Notification) -> Delivery:
        now = self._clock.now()
        claim = self._store.claim(notification.notification_id, now, now + CLAIM_LEASE)
        if claim.status is ClaimStatus.BUSY:
            raise DeliveryInProgress(notification.notification_id)
        if claim.status is ClaimStatus.DONE:
            if claim.outcome is Delivery.SENT:
                # Announced again with the same event id, in case the first announcement was lost.
                self._announce(notification)
            return Delivery.ALREADY_SENT
        try:
            self._channel.deliver(notification)
        except Undeliverable:
            self._store.mark_done(notification.notification_id, Delivery.UNDELIVERABLE)
            return Delivery.UNDELIVERABLE
        except Exception:
            # Not sent: the claim is given back so the redelivered event tries again.
            self._store.release(notification.notification_id)
            raise
        self._store.mark_done(notification.notification_id, Delivery.SENT)
        self._announce(notification)
        return Delivery.SENT

    def _announce(self, notification: Notification) -> None:
        self._publisher.publish(
            [
                DomainEvent(
                    name="NotificationSent",
                    source=self._source,
                    detail={
                        "player_id": notification.player_id,
                        "notification_id": notification.notification_id,
                        "reason": notification.reason.value,
                        "kind": notification.kind.value,
                        "channel": self._channel.name,
                    },
                    correlation_id=notification.correlation_id,
                    occurred_at=self._clock.now(),
                )
            ]
        )

    def _compose(
        self, name: str, detail: dict[str, Any], event_id: str, correlation_id: str
    ) -> Notification | None:
        reason = _REASON_OF.get(name)
        if reason is None:
            return None
        player_id = detail.get("player_id")
        if not isinstance(player_id, str) or not player_id:
            raise UnreadableEvent(f"{name} has no player_id")
        if reason is Reason.BIG_WIN:
            amount = _amount(detail)
            if amount is None or amount < self._big_win_threshold:
                return None
        subject, text = _message(reason, detail)
        return Notification(event_id, player_id, reason, subject, text, correlation_id)


_REASON_OF = {
    "RealityCheckDue": Reason.REALITY_CHECK_DUE,
    "LimitReached": Reason.LIMIT_REACHED,
    "SelfExclusionStarted": Reason.SELF_EXCLUSION_STARTED,
    "BonusGranted": Reason.BONUS_GRANTED,
    "BetSettled": Reason.BIG_WIN,
}


def validate_email(email: str) -> str:
    """An e-mail address the SES channel can send to, or ValidationFailed naming `email`."""
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_RE.fullmatch(email):
        raise ValidationFailed("email must be an e-mail address like player@example.com", field="email")
    return email


def format_money(amount: int, currency: str) -> str:
    """Minor units as the player reads them: 123456 EUR -> 1,234.56 EUR."""
    decimals = _DECIMALS.get(currency, 2)
    if decimals == 0:
        return f"{amount:,} {currency}"
    whole, fraction = divmod(amount, 10**decimals)
    return f"{whole:,}.{fraction:0{decimals}d} {currency}"


def _message(reason: Reason, detail: dict[str, Any]) -> tuple[str, str]:
    # The fields other modules add beyond player_id are read tolerantly: a missing one gives a
    # plainer message, never a lost one.
    if reason is Reason.REALITY_CHECK_DUE:
        minutes = _first_int(detail, "elapsed_minutes", "minutes_played", "minutes")
        played = (
            f"You have been playing for {minutes} minutes." if minutes else "You have been playing a while."
        )
        return "Reality check", f"{played} Take a moment to check your time and spending."
    if reason is Reason.LIMIT_REACHED:
        limit = _first_text(detail, "limit_type", "limit", "kind")
        which = f"your {limit.replace('_', ' ')} limit" if limit else "one of your limits"
        return "Limit reached", f"You have reached {which}. It applies until its period ends."
    if reason is Reason.SELF_EXCLUSION_STARTED:
        end = _exclusion_end(detail)
        until = "until you ask us to end it" if end == INDEFINITELY else f"until {end.date().isoformat()}"
        return (
            "Your self-exclusion has started",
            f"Your self-exclusion has started and lasts {until}. You will not receive marketing meanwhile.",
        )
    money = _money_text(detail)
    if reason is Reason.BONUS_GRANTED:
        return "A bonus for you", f"A bonus{' of ' + money if money else ''} is in your bonus balance."
    return "Congratulations on your win", f"You won{' ' + money if money else ' big'}."


def _exclusion_end(detail: dict[str, Any]) -> datetime:
    """When the self-exclusion ends: a missing or unreadable date counts as indefinite (fails safe)."""
    raw = _first_text(detail, "until", "excluded_until", "ends_at", "end")
    if raw is None:
        return INDEFINITELY
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return INDEFINITELY
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _amount(detail: dict[str, Any]) -> int | None:
    amount = detail.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int):
        return None
    return amount


def _money_text(detail: dict[str, Any]) -> str | None:
    amount = _amount(detail)
    currency = detail.get("currency")
    if amount is None or amount <= 0 or not isinstance(currency, str) or len(currency) != 3:
        return None
    return format_money(amount, currency)


def _first_text(detail: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = detail.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _first_int(detail: dict[str, Any], *names: str) -> int | None:
    for name in names:
        value = detail.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None
