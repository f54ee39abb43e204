"""Wallet routes: balance, deposits, withdrawals, bets, wins and rollbacks of the signed-in player."""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint

from ..domain.errors import DomainError
from ..domain.wallet import Balance, EntryKind, Wallet, WalletReceipt
from ..observability import add_metric, add_money_metric
from . import schemas, schemas_wallet
from .context import ModuleApi, current_correlation_id, current_player_id, module_service
from .server_calls import GAME_SERVER, PAYMENT_PROVIDER, server_call

wallet_api = Blueprint("wallet", __name__, url_prefix="/wallet")
API = ModuleApi(wallet_api)

Reply = tuple[dict[str, Any], int]

# Counted per new transaction; GGR (stakes minus wins minus refunded stakes) per currency, minor units.
KIND_METRICS = {
    EntryKind.DEPOSIT: ("Deposits", 0),
    EntryKind.WITHDRAWAL: ("Withdrawals", 0),
    EntryKind.BET: ("Bets", 1),
    EntryKind.WIN: ("Wins", -1),
    EntryKind.ROLLBACK: ("Rollbacks", -1),
}

# Refusals made by the wallet's guard (player protection: KYC gate, exclusions, limits), by their error
# codes, counted as ProtectionRefusals. Without player protection the guard refuses nothing.
PROTECTION_REFUSALS = frozenset({"kyc_required", "self_excluded", "cooling_off", "limit_exceeded"})


@wallet_api.get("")
def get_balance() -> dict[str, Any]:
    balance = _wallet().balance(current_player_id())
    if balance is None:
        return {"currency": None, "cash": 0, "bonus": 0}
    return _balance_json(balance)


@wallet_api.post("/deposits")
def deposit() -> Reply:
    # The payment provider's signed call: the player is the signed body's, never a token's.
    body = schemas_wallet.payment_request(server_call(PAYMENT_PROVIDER), EntryKind.DEPOSIT)
    try:
        receipt = _wallet().deposit(
            body.player_id, body.transaction_id, body.money, correlation_id=current_correlation_id()
        )
    except DomainError as refusal:
        _count_protection_refusal(refusal)
        raise
    return _reply(receipt)


@wallet_api.post("/withdrawals")
def withdraw() -> Reply:
    # Only the payment provider, which pays the money out, may take cash out of a wallet.
    body = schemas_wallet.payment_request(server_call(PAYMENT_PROVIDER), EntryKind.WITHDRAWAL)
    # No protection refusal to count: withdrawals are never refused for KYC, exclusions or limits.
    receipt = _wallet().withdraw(
        body.player_id, body.transaction_id, body.money, correlation_id=current_correlation_id()
    )
    return _reply(receipt)


@wallet_api.post("/bets")
def place_bet() -> Reply:
    player_id = current_player_id()
    try:
        body = schemas_wallet.bet_request(schemas.json_body())
        receipt = _wallet().place_bet(
            player_id,
            body.transaction_id,
            body.money,
            correlation_id=current_correlation_id(),
            session_id=body.session_id,
            funds=body.funds,
            round_id=body.round_id,
        )
    except DomainError as refusal:
        add_metric("BetsRefused")
        _count_protection_refusal(refusal)
        raise
    return _reply(receipt)


@wallet_api.post("/wins")
def settle_win() -> Reply:
    body = schemas_wallet.win_request(server_call(GAME_SERVER))
    receipt = _wallet().settle_win(
        body.player_id,
        body.transaction_id,
        body.bet_transaction_id,
        body.money,
        correlation_id=current_correlation_id(),
        session_id=body.session_id,
        round_id=body.round_id,
        close_round=body.close_round,
    )
    return _reply(receipt)


@wallet_api.post("/rollbacks")
def rollback_bet() -> Reply:
    body = schemas_wallet.rollback_request(server_call(GAME_SERVER))
    receipt = _wallet().rollback_bet(
        body.player_id,
        body.transaction_id,
        body.bet_transaction_id,
        correlation_id=current_correlation_id(),
        session_id=body.session_id,
        round_id=body.round_id,
    )
    return _reply(receipt)


def _wallet() -> Wallet:
    return cast("Wallet", module_service("wallet"))


def _count_protection_refusal(refusal: DomainError) -> None:
    if refusal.code in PROTECTION_REFUSALS:
        add_metric("ProtectionRefusals")


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
