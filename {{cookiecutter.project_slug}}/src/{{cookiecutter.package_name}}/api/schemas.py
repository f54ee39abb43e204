"""Request validation: every refusal names its field, so bad input is a 4xx and never a 500.

A body must be one JSON object with exactly the documented fields: unknown, missing or wrong-typed
fields are 422, malformed JSON is 400.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
{%- if cookiecutter.module_wallet %}
from dataclasses import dataclass
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
from enum import StrEnum
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
from typing import Any, NoReturn, TypeVar
{%- else %}
from typing import Any, NoReturn
{%- endif %}

from flask import request

from ..domain.errors import DomainError, NotFound, ValidationFailed
{%- if cookiecutter.module_wallet %}
from ..domain.money import Money
{%- if cookiecutter.module_responsible_gaming %}
from ..domain.responsible_gaming import KycStatus, LimitKind, LimitPeriod
{%- endif %}
from ..domain.wallet import EntryKind, Funds
from .currencies import is_currency
{%- endif %}

# Transaction and session ids: what game providers and our own uuids use, nothing that needs escaping.
# Always matched in full (fullmatch): `$` would also match before a trailing newline.
IDENTIFIER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

Body = dict[str, Any]


class MalformedJson(DomainError):
    """The request body is not JSON at all."""

    code = "malformed_json"
    status = 400


def json_body(*, allow_empty: bool = False) -> Body:
    """The request body as a JSON object (an empty body is `{}` when `allow_empty`)."""
    raw = request.get_data(cache=False)
    if not raw.strip():
        if allow_empty:
            return {}
        raise ValidationFailed("the request body must be a JSON object")
    try:
        data = json.loads(raw, object_pairs_hook=_object_without_duplicates, parse_constant=_reject_constant)
    # JSONDecodeError and UnicodeDecodeError are ValueErrors; absurd nesting exhausts the recursion limit.
    except (ValueError, RecursionError):
        raise MalformedJson("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ValidationFailed("the request body must be a JSON object")
    return data


def expect_fields(body: Body, required: Iterable[str], optional: Iterable[str] = ()) -> None:
    """Refuse unknown fields first, then missing ones, each by name."""
    required = tuple(required)
    known = set(required) | set(optional)
    unknown = sorted(name for name in body if name not in known)
    if unknown:
        raise ValidationFailed(f"unknown field {unknown[0]!r}", field=unknown[0])
    for name in required:
        if name not in body:
            raise ValidationFailed(f"{name} is required", field=name)


def identifier(body: Body, name: str) -> str:
    """A transaction or session id field."""
    value = body[name]
    if not isinstance(value, str) or not IDENTIFIER_RE.fullmatch(value):
        raise ValidationFailed(
            f"{name} must be 1-128 letters, digits or . _ : - (starting with a letter or digit)", field=name
        )
    return value


def optional_identifier(body: Body, name: str) -> str | None:
    """An id field that may be absent or null."""
    return None if body.get(name) is None else identifier(body, name)


def player_id(body: Body, name: str = "player_id") -> str:
    """A player id in a signed body: an identity provider's `sub`, printable, no spaces."""
    value = body[name]
    if not isinstance(value, str) or not _is_player_id(value):
        raise ValidationFailed(
            f"{name} must be the player's id: 1-256 printable characters, no spaces", field=name
        )
    return value


def _is_player_id(value: str) -> bool:
    return 0 < len(value) <= 256 and value.isprintable() and not any(char.isspace() for char in value)


def path_identifier(value: str, name: str) -> str:
    """An id taken from the URL path; one that cannot exist is simply not found."""
    if not IDENTIFIER_RE.fullmatch(value):
        raise NotFound(f"no such {name.removesuffix('_id')}", field=name)
    return value
{%- if cookiecutter.module_wallet %}


@dataclass(frozen=True, slots=True)
class MoneyRequest:
    """A deposit, a withdrawal or a bet: new money moving under a new transaction id."""

    transaction_id: str
    money: Money
    session_id: str | None = None
    funds: Funds = Funds.CASH


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """The payment provider's deposit or withdrawal (cash only) for the player its signed body names."""

    player_id: str
    transaction_id: str
    money: Money


@dataclass(frozen=True, slots=True)
class WinRequest:
    """The game server's win on an earlier bet of the player its signed body names."""

    player_id: str
    transaction_id: str
    bet_transaction_id: str
    money: Money
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class RollbackRequest:
    """The game server's cancellation of an earlier bet (known or not yet arrived)."""

    player_id: str
    transaction_id: str
    bet_transaction_id: str
    session_id: str | None = None


# What every signed server call's body names besides its own fields: whose money, which operation.
SIGNED_FIELDS = ("player_id", "kind")


def payment_request(body: Body, kind: EntryKind) -> PaymentRequest:
    """A deposit or a withdrawal: never names its funds (only cash is paid in or out)."""
    expect_fields(body, required=(*SIGNED_FIELDS, "transaction_id", "amount", "currency"))
    _expect_kind(body, kind)
    return PaymentRequest(player_id(body), identifier(body, "transaction_id"), _money(body))


def bet_request(body: Body) -> MoneyRequest:
    expect_fields(body, required=("transaction_id", "amount", "currency"), optional=("session_id", "funds"))
    return MoneyRequest(
        identifier(body, "transaction_id"),
        _money(body),
        optional_identifier(body, "session_id"),
        _funds(body),
    )


def win_request(body: Body) -> WinRequest:
    expect_fields(
        body,
        required=(*SIGNED_FIELDS, "transaction_id", "bet_transaction_id", "amount", "currency"),
        optional=("session_id",),
    )
    _expect_kind(body, EntryKind.WIN)
    return WinRequest(
        player_id(body),
        identifier(body, "transaction_id"),
        identifier(body, "bet_transaction_id"),
        _money(body),
        optional_identifier(body, "session_id"),
    )


def rollback_request(body: Body) -> RollbackRequest:
    expect_fields(
        body, required=(*SIGNED_FIELDS, "transaction_id", "bet_transaction_id"), optional=("session_id",)
    )
    _expect_kind(body, EntryKind.ROLLBACK)
    return RollbackRequest(
        player_id(body),
        identifier(body, "transaction_id"),
        identifier(body, "bet_transaction_id"),
        optional_identifier(body, "session_id"),
    )


def _money(body: Body) -> Money:
    # The currency first: the domain's check takes any three capital letters.
    _currency(body)
    return Money.of(body["amount"], body["currency"])


def _currency(body: Body) -> str:
    value = body["currency"]
    if not is_currency(value):
        raise ValidationFailed("currency must be an ISO 4217 code of a currency, like EUR", field="currency")
    currency: str = value
    return currency


def _expect_kind(body: Body, kind: EntryKind) -> None:
    # The signed body says which operation it is for: a body signed for one route is refused on another.
    if body["kind"] != kind.value:
        raise ValidationFailed(f"kind must be {kind.value!r} on this route", field="kind")
{%- if cookiecutter.module_responsible_gaming %}


Choice = TypeVar("Choice", bound=StrEnum)


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
        return LimitRequest(kind, period, None, _currency(body))
    money = _money(body)
    return LimitRequest(kind, period, money.amount, money.currency)


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
    if not _is_player_id(value):
        raise NotFound("no such player", field="player_id")
    return value


def _choice(body: Body, name: str, choices: type[Choice]) -> Choice:
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
{%- endif %}


def _funds(body: Body) -> Funds:
    """The balance a bet takes: cash unless the body says otherwise."""
    value = body.get("funds", Funds.CASH.value)
    # A list or an object is not hashable: the type check comes first.
    if not isinstance(value, str) or value not in {funds.value for funds in Funds}:
        choices = " or ".join(repr(funds.value) for funds in Funds)
        raise ValidationFailed(f"funds must be {choices}", field="funds")
    return Funds(value)
{%- endif %}


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> Body:
    # A repeated key would let two parsers disagree on the amount; refuse it instead of picking one.
    data: Body = {}
    for key, value in pairs:
        if key in data:
            raise ValidationFailed(f"field {key!r} appears twice", field=key)
        data[key] = value
    return data


def _reject_constant(name: str) -> NoReturn:
    raise MalformedJson(f"{name} is not a JSON number")
