"""Wallet routes: balance, deposits, bets, wins and rollbacks of the signed-in player."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..domain.wallet import Balance, Wallet, WalletReceipt
from . import schemas
from .context import CREDIT_SCOPE, current_correlation_id, current_player_id, current_services, require_scope

wallet_api = Blueprint("wallet", __name__, url_prefix="/wallet")

Reply = tuple[dict[str, Any], int]


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
    body = schemas.deposit_request(schemas.json_body())
    receipt = _wallet().deposit(
        player_id, body.transaction_id, body.money, correlation_id=current_correlation_id()
    )
    return _reply(receipt)


@wallet_api.post("/bets")
def place_bet() -> Reply:
    player_id = current_player_id()
    body = schemas.bet_request(schemas.json_body())
    receipt = _wallet().place_bet(
        player_id,
        body.transaction_id,
        body.money,
        correlation_id=current_correlation_id(),
        session_id=body.session_id,
    )
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


def _wallet() -> Wallet:
    return current_services().wallet


def _reply(receipt: WalletReceipt) -> Reply:
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
