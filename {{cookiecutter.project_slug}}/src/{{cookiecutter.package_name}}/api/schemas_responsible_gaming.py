"""Request validation of player protection's routes: limits, exclusions and the KYC provider's verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..domain.errors import NotFound, ValidationFailed
from ..domain.responsible_gaming import KycStatus, LimitKind, LimitPeriod
from .schemas import Body, expect_fields, is_player_id, player_id
from .schemas_wallet import currency, money


@dataclass(frozen=True, slots=True)
class LimitRequest:
    """A limit to set (amount) or to remove (amount null)."""

    kind: LimitKind
    period: LimitPeriod
    amount: int | None
    currency: str


def limit_request(body: Body) -> LimitRequest:
    expect_fields(body, required=("kind", "period", "amount", "currency"))
    kind = _choice(body, "kind", LimitKind)
    period = _choice(body, "period", LimitPeriod)
    if body["amount"] is None:
        return LimitRequest(kind, period, None, currency(body))
    limit = money(body)
    return LimitRequest(kind, period, limit.amount, limit.currency)


@dataclass(frozen=True, slots=True)
class LimitConfirmation:
    """The limit whose waiting raise the player confirms."""

    kind: LimitKind
    period: LimitPeriod


def limit_confirmation_request(body: Body) -> LimitConfirmation:
    expect_fields(body, required=("kind", "period"))
    return LimitConfirmation(_choice(body, "kind", LimitKind), _choice(body, "period", LimitPeriod))


def self_exclusion_request(body: Body) -> int:
    """The months asked for; their range is the domain's (the jurisdiction's minimum)."""
    expect_fields(body, required=("months",))
    return _whole_number(body, "months")


def cool_off_request(body: Body) -> int:
    """The hours asked for; their range is the domain's (the jurisdiction's minimum)."""
    expect_fields(body, required=("hours",))
    return _whole_number(body, "hours")


@dataclass(frozen=True, slots=True)
class KycRequest:
    """The KYC provider's verdict on the player its signed body names."""

    player_id: str
    status: KycStatus


def kyc_request(body: Body) -> KycRequest:
    expect_fields(body, required=("player_id", "status"))
    return KycRequest(player_id(body), _choice(body, "status", KycStatus))


def player_path_id(value: str) -> str:
    """A player id taken from the URL path: an identity provider's `sub`, printable, no spaces."""
    if not is_player_id(value):
        raise NotFound("no such player", field="player_id")
    return value


def _choice[Choice: StrEnum](body: Body, name: str, choices: type[Choice]) -> Choice:
    value = body[name]
    # A list or an object is not hashable: the type check comes first.
    if not isinstance(value, str) or value not in {choice.value for choice in choices}:
        allowed = ", ".join(repr(choice.value) for choice in choices)
        raise ValidationFailed(f"{name} must be one of {allowed}", field=name)
    return choices(value)


def _whole_number(body: Body, name: str) -> int:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{name} must be a whole number", field=name)
    return value
