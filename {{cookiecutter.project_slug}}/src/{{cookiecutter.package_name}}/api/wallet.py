"""Wallet routes: balance, deposits, withdrawals, bets, wins and rollbacks of the signed-in player."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Blueprint, request

from ..domain.errors import DomainError
{%- if cookiecutter.module_responsible_gaming %}
from ..domain.responsible_gaming import CoolingOff, KycRequired, LimitExceeded, SelfExcluded
{%- endif %}
from ..domain.wallet import Balance, EntryKind, Wallet, WalletReceipt
from ..observability import add_metric, add_money_metric
from . import schemas
from .context import CREDIT_SCOPE, current_correlation_id, current_player_id, current_services, require_scope

wallet_api = Blueprint("wallet", __name__, url_prefix="/wallet")

Reply = tuple[dict[str, Any], int]

# The payment provider signs each deposit and withdrawal: "sha256=" + hex HMAC-SHA256 of the raw body with
# the shared key.
PAYMENT_SIGNATURE_HEADER = "x-payment-signature"
# Counted per new transaction; GGR (stakes minus wins minus refunded stakes) per currency, minor units.
KIND_METRICS = {
    EntryKind.DEPOSIT: ("Deposits", 0),
    EntryKind.WITHDRAWAL: ("Withdrawals", 0),
    EntryKind.BET: ("Bets", 1),
    EntryKind.WIN: ("Wins", -1),
    EntryKind.ROLLBACK: ("Rollbacks", -1),
}


{%- if cookiecutter.module_responsible_gaming %}

# Refusals made by the player's protection (KYC gate, exclusions, limits), counted as ProtectionRefusals.
PROTECTION_REFUSALS = (KycRequired, SelfExcluded, CoolingOff, LimitExceeded)
{%- endif %}


class InvalidSignature(DomainError):
    """A deposit or withdrawal without the payment provider's valid signature."""

    code = "invalid_signature"
    status = 401


@wallet_api.get("")
def get_balance() -> dict[str, Any]:
    balance = _wallet().balance(current_player_id())
    if balance is None:
        return {"currency": None, "cash": 0, "bonus": 0}
    return _balance_json(balance)


@wallet_api.post("/deposits")
def deposit() -> Reply:
    player_id = current_player_id()
    require_scope(CREDIT_SCOPE)
    require_payment_signature()
    body = schemas.deposit_request(schemas.json_body())
{%- if cookiecutter.module_responsible_gaming %}
    try:
        receipt = _wallet().deposit(
            player_id, body.transaction_id, body.money, correlation_id=current_correlation_id()
        )
    except PROTECTION_REFUSALS:
        add_metric("ProtectionRefusals")
        raise
{%- else %}
    receipt = _wallet().deposit(
        player_id, body.transaction_id, body.money, correlation_id=current_correlation_id()
    )
{%- endif %}
    return _reply(receipt)


@wallet_api.post("/withdrawals")
def withdraw() -> Reply:
    player_id = current_player_id()
    require_scope(CREDIT_SCOPE)
    # Signed like a deposit: the game server's tokens carry the credit scope too, and only the payment
    # provider, which pays the money out, may take cash out of a wallet.
    require_payment_signature()
    body = schemas.withdrawal_request(schemas.json_body())
    # No protection refusal to count: withdrawals are never refused for KYC, exclusions or limits.
    receipt = _wallet().withdraw(
        player_id, body.transaction_id, body.money, correlation_id=current_correlation_id()
    )
    return _reply(receipt)


@wallet_api.post("/bets")
def place_bet() -> Reply:
    player_id = current_player_id()
    try:
        body = schemas.bet_request(schemas.json_body())
        receipt = _wallet().place_bet(
            player_id,
            body.transaction_id,
            body.money,
            correlation_id=current_correlation_id(),
            session_id=body.session_id,
            funds=body.funds,
        )
{%- if cookiecutter.module_responsible_gaming %}
    except DomainError as refusal:
        add_metric("BetsRefused")
        if isinstance(refusal, PROTECTION_REFUSALS):
            add_metric("ProtectionRefusals")
        raise
{%- else %}
    except DomainError:
        add_metric("BetsRefused")
        raise
{%- endif %}
    return _reply(receipt)


@wallet_api.post("/wins")
def settle_win() -> Reply:
    player_id = current_player_id()
    require_scope(CREDIT_SCOPE)
    body = schemas.win_request(schemas.json_body())
    receipt = _wallet().settle_win(
        player_id,
        body.transaction_id,
        body.bet_transaction_id,
        body.money,
        correlation_id=current_correlation_id(),
        session_id=body.session_id,
    )
    return _reply(receipt)


@wallet_api.post("/rollbacks")
def rollback_bet() -> Reply:
    player_id = current_player_id()
    require_scope(CREDIT_SCOPE)
    body = schemas.rollback_request(schemas.json_body())
    receipt = _wallet().rollback_bet(
        player_id,
        body.transaction_id,
        body.bet_transaction_id,
        correlation_id=current_correlation_id(),
        session_id=body.session_id,
    )
    return _reply(receipt)


def require_payment_signature() -> None:
    """Refuse a deposit or withdrawal the payment provider did not sign (when a key is configured)."""
    key = current_services().payment_webhook_key
    if key is None:
        return
    body = request.get_data(cache=True)  # kept for json_body, which reads it next
    expected = "sha256=" + hmac.new(key().encode(), body, hashlib.sha256).hexdigest()
    given = request.headers.get(PAYMENT_SIGNATURE_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise InvalidSignature(f"this payment needs a valid {PAYMENT_SIGNATURE_HEADER} header")


def _wallet() -> Wallet:
    return current_services().wallet


def _count(receipt: WalletReceipt) -> None:
    name, ggr_sign = KIND_METRICS.get(receipt.kind, ("", 0))
    if name:
        add_metric(name)
    if ggr_sign and receipt.amount:
        add_money_metric("GGR", ggr_sign * receipt.amount, receipt.currency)


def _reply(receipt: WalletReceipt) -> Reply:
    if not receipt.replayed:
        _count(receipt)
    # A replay is answered 200 with the original transaction; a new transaction is 201.
    status = 200 if receipt.replayed else 201
    return {
        "transaction_id": receipt.transaction_id,
        "kind": receipt.kind.value,
        "amount": receipt.amount,
        "currency": receipt.currency,
        "balance": None if receipt.balance is None else _balance_json(receipt.balance),
        "replayed": receipt.replayed,
    }, status


def _balance_json(balance: Balance) -> dict[str, Any]:
    return {"currency": balance.currency, "cash": balance.cash, "bonus": balance.bonus}
