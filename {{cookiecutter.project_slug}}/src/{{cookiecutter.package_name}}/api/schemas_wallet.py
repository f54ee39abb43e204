"""Request validation of the wallet's routes: money requests, each refusal naming its field."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import ValidationFailed
from ..domain.money import MAX_AMOUNT, Money
from ..domain.wallet import EntryKind, Funds
from .currencies import is_currency
from .schemas import Body, expect_fields, identifier, optional_identifier, player_id


@dataclass(frozen=True, slots=True)
class BetRequest:
    """The player's bet: a stake on a round of the game server's."""

    transaction_id: str
    round_id: str
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
    round_id: str
    money: Money
    session_id: str | None = None
    close_round: bool = False


@dataclass(frozen=True, slots=True)
class RollbackRequest:
    """The game server's cancellation of an earlier bet (known or not yet arrived)."""

    player_id: str
    transaction_id: str
    bet_transaction_id: str
    round_id: str
    session_id: str | None = None


# What every signed server call's body names besides its own fields: whose money, which operation.
SIGNED_FIELDS = ("player_id", "kind")


def payment_request(body: Body, kind: EntryKind) -> PaymentRequest:
    """A deposit or a withdrawal: never names its funds (only cash is paid in or out)."""
    expect_fields(body, required=(*SIGNED_FIELDS, "transaction_id", "amount", "currency"))
    _expect_kind(body, kind)
    return PaymentRequest(player_id(body), identifier(body, "transaction_id"), money(body))


def bet_request(body: Body) -> BetRequest:
    """A bet names its round: the game server's round id, which its wins and rollbacks name too."""
    expect_fields(
        body,
        required=("transaction_id", "round_id", "amount", "currency"),
        optional=("session_id", "funds"),
    )
    return BetRequest(
        identifier(body, "transaction_id"),
        identifier(body, "round_id"),
        money(body),
        optional_identifier(body, "session_id"),
        _funds(body),
    )


def win_request(body: Body) -> WinRequest:
    expect_fields(
        body,
        required=(*SIGNED_FIELDS, "transaction_id", "bet_transaction_id", "round_id", "amount", "currency"),
        optional=("session_id", "close_round"),
    )
    _expect_kind(body, EntryKind.WIN)
    close_round = body.get("close_round", False)
    if not isinstance(close_round, bool):
        raise ValidationFailed("close_round must be true or false", field="close_round")
    return WinRequest(
        player_id(body),
        identifier(body, "transaction_id"),
        identifier(body, "bet_transaction_id"),
        identifier(body, "round_id"),
        _win_money(body, close_round=close_round),
        optional_identifier(body, "session_id"),
        close_round,
    )


def rollback_request(body: Body) -> RollbackRequest:
    expect_fields(
        body,
        required=(*SIGNED_FIELDS, "transaction_id", "bet_transaction_id", "round_id"),
        optional=("session_id",),
    )
    _expect_kind(body, EntryKind.ROLLBACK)
    return RollbackRequest(
        player_id(body),
        identifier(body, "transaction_id"),
        identifier(body, "bet_transaction_id"),
        identifier(body, "round_id"),
        optional_identifier(body, "session_id"),
    )


def money(body: Body) -> Money:
    """The amount and currency fields as Money, each refused by name."""
    # The currency first: the domain's check takes any three capital letters.
    currency(body)
    return Money.of(body["amount"], body["currency"])


def _win_money(body: Body, *, close_round: bool) -> Money:
    """A win's amount: positive, or 0 for the final win that closes a round paying nothing."""
    amount = body["amount"]
    if close_round and amount == 0 and isinstance(amount, int) and not isinstance(amount, bool):
        return Money(0, currency(body))
    if amount == 0 and isinstance(amount, int) and not isinstance(amount, bool):
        raise ValidationFailed(
            f"amount must be between 1 and {MAX_AMOUNT}; 0 only with close_round: true "
            "(the final win of a round that pays nothing)",
            field="amount",
        )
    return money(body)


def currency(body: Body) -> str:
    """The currency field: an ISO 4217 code."""
    value = body["currency"]
    if not is_currency(value):
        raise ValidationFailed("currency must be an ISO 4217 code of a currency, like EUR", field="currency")
    code: str = value
    return code


def _expect_kind(body: Body, kind: EntryKind) -> None:
    # The signed body says which operation it is for: a body signed for one route is refused on another.
    if body["kind"] != kind.value:
        raise ValidationFailed(f"kind must be {kind.value!r} on this route", field="kind")


def _funds(body: Body) -> Funds:
    """The balance a bet takes: cash unless the body says otherwise."""
    value = body.get("funds", Funds.CASH.value)
    # A list or an object is not hashable: the type check comes first.
    if not isinstance(value, str) or value not in {funds.value for funds in Funds}:
        choices = " or ".join(repr(funds.value) for funds in Funds)
        raise ValidationFailed(f"funds must be {choices}", field="funds")
    return Funds(value)
