"""Wallet routes: balance, deposits, withdrawals, bets, wins and rollbacks of the signed-in player."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint, Response, g

from ..domain.errors import DomainError
from ..observability import add_metric, add_money_metric, get_logger
from . import schemas
from .context import ModuleApi, current_correlation_id, current_player_id, module_service
from .server_calls import GAME_SERVER, PAYMENT_PROVIDER, server_call

if TYPE_CHECKING:
    from ..domain.wallet import Balance, Wallet, WalletReceipt

# The module's domain and request schemas load on the first request to its routes, not at the API's
# cold start (docs/benchmarks.md); snapstart.py loads them before a snapshot.

wallet_api = Blueprint("wallet", __name__, url_prefix="/wallet")
API = ModuleApi(wallet_api)

Reply = tuple[dict[str, Any], int]

# Counted per new transaction; GGR (stakes minus wins minus refunded stakes) per currency, minor units.
# By the entries' kinds (domain.wallet.EntryKind values).
KIND_METRICS = {
    "deposit": ("Deposits", 0),
    "withdrawal": ("Withdrawals", 0),
    "bet": ("Bets", 1),
    "win": ("Wins", -1),
    "rollback": ("Rollbacks", -1),
}

# Refusals made by the wallet's guard (player protection: KYC gate, exclusions, limits), by their error
# codes, counted as ProtectionRefusals. Without player protection the guard refuses nothing.
PROTECTION_REFUSALS = frozenset({"kyc_required", "self_excluded", "cooling_off", "limit_exceeded"})


def _refusals_carry_the_balance(view: Callable[[], Reply]) -> Callable[[], Reply]:
    """Keep the balance a refused write returned (FundsShort), for the refusal's answer."""

    @wraps(view)
    def refusing() -> Reply:
        from ..domain.wallet import FundsShort

        try:
            return view()
        except FundsShort as refusal:
            g.wallet_refusal_balance = (refusal.balance,)
            raise

    return refusing


def _answering_for(player_id: str) -> str:
    """The player whose balance this route's refusals carry: the caller is authorized for them by now."""
    g.wallet_player = player_id
    return player_id


@wallet_api.after_request
def _balance_on_refusals(response: Response) -> Response:
    """Every refusal for a known player carries the player's current balance, as aggregators expect.

    A refusal before the caller is authorized for a player (no token, a bad signature, a body without
    its player) carries none: it would tell a stranger the balance.
    """
    player_id = g.get("wallet_player")
    if response.status_code < 400 or player_id is None or not response.is_json:
        return response
    body = response.get_json(silent=True)
    if not isinstance(body, dict) or "error" not in body:
        return response
    returned = g.get("wallet_refusal_balance")
    try:
        balance = returned[0] if returned is not None else _wallet().balance(player_id)
    except Exception:
        get_logger().exception("balance of a refusal not read")
        return response
    body["balance"] = _balance_json(balance)
    response.set_data(json.dumps(body))
    return response


@wallet_api.get("")
def get_balance() -> dict[str, Any]:
    return _balance_json(_wallet().balance(current_player_id()))


@wallet_api.post("/deposits")
@_refusals_carry_the_balance
def deposit() -> Reply:
    from ..domain.wallet import EntryKind
    from . import schemas_wallet

    # The payment provider's signed call: the player is the signed body's, never a token's.
    body = schemas_wallet.payment_request(server_call(PAYMENT_PROVIDER), EntryKind.DEPOSIT)
    _answering_for(body.player_id)
    try:
        receipt = _wallet().deposit(
            body.player_id, body.transaction_id, body.money, correlation_id=current_correlation_id()
        )
    except DomainError as refusal:
        _count_protection_refusal(refusal)
        raise
    return _reply(receipt)


@wallet_api.post("/withdrawals")
@_refusals_carry_the_balance
def withdraw() -> Reply:
    # Only the payment provider, which pays the money out, may take cash out of a wallet.
    from ..domain.wallet import EntryKind
    from . import schemas_wallet

    body = schemas_wallet.payment_request(server_call(PAYMENT_PROVIDER), EntryKind.WITHDRAWAL)
    _answering_for(body.player_id)
    # No protection refusal to count: withdrawals are never refused for KYC, exclusions or limits.
    receipt = _wallet().withdraw(
        body.player_id, body.transaction_id, body.money, correlation_id=current_correlation_id()
    )
    return _reply(receipt)


@wallet_api.post("/bets")
@_refusals_carry_the_balance
def place_bet() -> Reply:
    from . import schemas_wallet

    player_id = _answering_for(current_player_id())
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
@_refusals_carry_the_balance
def settle_win() -> Reply:
    from . import schemas_wallet

    body = schemas_wallet.win_request(server_call(GAME_SERVER))
    _answering_for(body.player_id)
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
@_refusals_carry_the_balance
def rollback_bet() -> Reply:
    from . import schemas_wallet

    body = schemas_wallet.rollback_request(server_call(GAME_SERVER))
    _answering_for(body.player_id)
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
    name, ggr_sign = KIND_METRICS.get(receipt.kind.value, ("", 0))
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
        "balance": _balance_json(receipt.balance),
        "replayed": receipt.replayed,
    }, status


def _balance_json(balance: Balance | None) -> dict[str, Any]:
    """The balance as answered; a player who never had money holds nothing in no currency yet."""
    if balance is None:
        return {"currency": None, "cash": 0, "bonus": 0}
    return {"currency": balance.currency, "cash": balance.cash, "bonus": balance.bonus}
