"""Hybrid mode: the operator's own wallet holds the money; this project serves the modules around it.

Where the law keeps wagering off the public cloud (us-nj: N.J.S.A. 5:12-95.22(a)), the operator's
platform stays the record of play and money. Two things cross the boundary, both signed with the one
scheme of server-to-server calls (domain/signing.py):

- in: the platform posts its bets, wins, rollbacks, deposits, withdrawals and bonus credits to the
  webhook. Each is checked, claimed once by its event id and published on the bus as the event the
  hosted wallet publishes (same name, the wallet's source, the same detail fields), so the modules'
  workers and the audit trail take it unchanged;
- out: a bonus (a mission reward) is credited by the operator's wallet, idempotent by transaction id
  (adapters/operator_platform.py). This project never holds a balance.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .errors import Conflict, DomainError, ValidationFailed
from .events import DomainEvent
from .money import Money

if TYPE_CHECKING:
    from ..ports import Clock, EventPublisher
    from ..ports.operator_wallet import OperatorWalletApi, PlatformEventLog

# The hosted wallet's events the platform may announce, by the name the bus carries.
PLATFORM_EVENTS = frozenset(
    {"BetPlaced", "BetSettled", "BetRolledBack", "FundsDeposited", "FundsWithdrawn", "BonusGranted"}
)
# Events about a bet name it: a win or a rollback carries the bet's transaction id.
NAMES_A_BET = frozenset({"BetSettled", "BetRolledBack"})
FUNDS = ("cash", "bonus")
# Event, transaction, player and session ids: what the operator's systems issue, bounded.
PLATFORM_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
CORRELATION_ID_RE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class Claim(StrEnum):
    """What the event log answers when an event id is claimed."""

    NEW = "new"  # first delivery: publish it
    PENDING = "pending"  # claimed before, not known to be published (that delivery failed): publish again
    PUBLISHED = "published"  # a redelivery: nothing to do
    CONFLICT = "conflict"  # the id was used with another event


class Delivery(StrEnum):
    """The webhook's answer for one event."""

    PUBLISHED = "published"
    DUPLICATE = "duplicate"


class EventIdReused(Conflict):
    """The platform sent another event under an event id it used before: refused, nothing published."""

    code = "event_id_reused"


class OperatorUnavailable(DomainError):
    """The operator's wallet did not answer in time or failed: a retry (same idempotency key) is safe."""

    code = "operator_unavailable"
    status = 503


class OperatorRefused(DomainError):
    """The operator's wallet refused the request for good: retrying the same request cannot help."""

    code = "operator_refused"
    status = 502


@dataclass(frozen=True, slots=True)
class PlatformEvent:
    """One money event of the operator's wallet, as its webhook delivers it."""

    event_id: str
    name: str
    player_id: str
    transaction_id: str
    money: Money
    funds: str
    occurred_at: datetime
    correlation_id: str
    bet_transaction_id: str | None = None
    session_id: str | None = None

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> PlatformEvent:
        """Validate a webhook body; ValidationFailed names the first field that is wrong."""
        name = body.get("type")
        if name not in PLATFORM_EVENTS:
            raise ValidationFailed(f"type must be one of {', '.join(sorted(PLATFORM_EVENTS))}", field="type")
        funds = body.get("funds", "cash")
        if funds not in FUNDS:
            raise ValidationFailed("funds must be cash or bonus", field="funds")
        bet = _optional_id(body, "bet_transaction_id")
        if name in NAMES_A_BET and bet is None:
            raise ValidationFailed(f"a {name} names its bet: bet_transaction_id", field="bet_transaction_id")
        correlation_id = body.get("correlation_id")
        event_id = _platform_id(body, "event_id")
        if correlation_id is None:
            correlation_id = event_id
        elif not isinstance(correlation_id, str) or not CORRELATION_ID_RE.fullmatch(correlation_id):
            raise ValidationFailed(
                "correlation_id must be 1 to 128 letters, digits or . _ : -", field="correlation_id"
            )
        return cls(
            event_id=event_id,
            name=str(name),
            player_id=_platform_id(body, "player_id"),
            transaction_id=_platform_id(body, "transaction_id"),
            money=Money.of(body.get("amount"), body.get("currency")),
            funds=str(funds),
            occurred_at=_moment(body.get("occurred_at")),
            correlation_id=correlation_id,
            bet_transaction_id=bet,
            session_id=_optional_id(body, "session_id"),
        )

    def digest(self) -> str:
        """A fingerprint of what the event says: the same id with another event is caught by it."""
        return hashlib.sha256(json.dumps(self.as_json(), sort_keys=True).encode()).hexdigest()

    def as_json(self) -> dict[str, Any]:
        """The event as the webhook takes it (what the platform signs)."""
        body: dict[str, Any] = {
            "event_id": self.event_id,
            "type": self.name,
            "player_id": self.player_id,
            "transaction_id": self.transaction_id,
            "amount": self.money.amount,
            "currency": self.money.currency,
            "funds": self.funds,
            "occurred_at": self.occurred_at.isoformat(),
            "correlation_id": self.correlation_id,
        }
        if self.bet_transaction_id is not None:
            body["bet_transaction_id"] = self.bet_transaction_id
        if self.session_id is not None:
            body["session_id"] = self.session_id
        return body

    def wallet_event(self, wallet_source: str) -> DomainEvent:
        """The event the hosted wallet would publish for it: its name, source and detail fields.

        The platform's event id is the bus event's id, so every consumer's once-per-event-id holds
        across redeliveries of the webhook.
        """
        detail: dict[str, Any] = {
            "player_id": self.player_id,
            "transaction_id": self.transaction_id,
            "amount": self.money.amount,
            "currency": self.money.currency,
            "funds": self.funds,
        }
        if self.bet_transaction_id is not None:
            detail["bet_transaction_id"] = self.bet_transaction_id
        if self.session_id is not None:
            detail["session_id"] = self.session_id
        return DomainEvent(
            name=self.name,
            source=wallet_source,
            detail=detail,
            correlation_id=self.correlation_id,
            occurred_at=self.occurred_at,
            event_id=self.event_id,
        )


class PlatformEventIntake:
    """Takes the platform's events: each published on the bus once, whatever the redeliveries."""

    def __init__(
        self, log: PlatformEventLog, publisher: EventPublisher, clock: Clock, wallet_source: str
    ) -> None:
        self._log = log
        self._publisher = publisher
        self._clock = clock
        self._wallet_source = wallet_source  # "<package>.wallet": the workers' rules match it

    def receive(self, event: PlatformEvent) -> Delivery:
        """Publish the event unless it was published before; EventIdReused for another event's id.

        Claim, publish, then mark: a failure to publish leaves the claim pending, and the platform's
        retry publishes it again (consumers count each event id once).
        """
        claim = self._log.claim(event.event_id, event.digest(), self._clock.now())
        if claim is Claim.CONFLICT:
            raise EventIdReused("this event_id was used with another event", field="event_id")
        if claim is Claim.PUBLISHED:
            return Delivery.DUPLICATE
        self._publisher.publish([event.wallet_event(self._wallet_source)])
        self._log.mark_published(event.event_id)
        return Delivery.PUBLISHED


@dataclass(frozen=True, slots=True)
class BonusCredit:
    """A bonus the operator's wallet credits: once per transaction id (its idempotency key)."""

    player_id: str
    transaction_id: str
    money: Money
    correlation_id: str

    @property
    def amount(self) -> int:
        return self.money.amount

    @property
    def currency(self) -> str:
        return self.money.currency

    def as_json(self) -> dict[str, Any]:
        """The request body sent to the operator's wallet."""
        return {
            "player_id": self.player_id,
            "transaction_id": self.transaction_id,
            "amount": self.money.amount,
            "currency": self.money.currency,
            "funds": "bonus",
            "correlation_id": self.correlation_id,
        }


class OperatorBonusWallet:
    """Pays bonuses (mission rewards) through the operator's wallet: the modules' bonus port.

    The operator's wallet answers ExcludedFromBonuses (domain/guard.py) for a self-excluded or cooling-off
    player, as the hosted wallet's guard does, CurrencyMismatch for a bonus in another currency than the
    player's wallet and TransactionConflict for a transaction id used with another bonus, as the hosted
    wallet does, so the modules treat each refusal as they always have.
    """

    def __init__(self, api: OperatorWalletApi) -> None:
        self._api = api

    def grant_bonus(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> BonusCredit:
        """Have the operator credit the bonus once; a replayed transaction id credits nothing more."""
        credit = BonusCredit(
            player_id, transaction_id, Money.of(money.amount, money.currency), correlation_id
        )
        self._api.credit_bonus(credit)
        return credit


def _platform_id(body: Mapping[str, Any], field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not PLATFORM_ID_RE.fullmatch(value):
        raise ValidationFailed(
            f"{field} must be 1 to 128 letters, digits or . _ : - (not starting with one of . _ : -)",
            field=field,
        )
    return value


def _optional_id(body: Mapping[str, Any], field: str) -> str | None:
    return None if body.get(field) is None else _platform_id(body, field)


def _moment(value: object) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationFailed(
            "occurred_at must be an ISO 8601 time with its UTC offset", field="occurred_at"
        )
    return moment
