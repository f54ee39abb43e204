"""The promotions function through functions-framework, on the gcloud emulators.

A pushed first deposit grants the welcome bonus once, on the wallet's Firestore ledger: the same push
again grants nothing more. A push that is not an event is answered 400 and counts nothing.
"""

from __future__ import annotations

from typing import Any

from tests.gcp.functions import PLAYER, function_client, push
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_wallet import FirestoreLedgerStore
from {{ cookiecutter.package_name }}.compliance import CURRENCY
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.settings import SystemClock

DEPOSIT = 5_000
FUNDS_DEPOSITED = {
    "event_id": "deposit-event-1",
    "correlation_id": "corr-7",
    "occurred_at": "2026-12-04T12:00:00+00:00",
    "player_id": PLAYER,
    "amount": DEPOSIT,
    "currency": CURRENCY,
}


def test_a_pushed_first_deposit_grants_the_welcome_bonus_once(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    ledger = FirestoreLedgerStore(DATABASE, firestore_client)
    Wallet(ledger, SystemClock(), "test.wallet").deposit(
        PLAYER, "deposit-1", Money(DEPOSIT, CURRENCY), correlation_id="corr-7"
    )
    worker = function_client("promotions")

    body = push("FundsDeposited", "wallet", FUNDS_DEPOSITED)

    answers = [worker.post("/", json=body).status_code for _ in range(2)]

    assert answers == [204, 204]
    grant = firestore_client.document(f"promotion_players/{PLAYER}/grants/welcome-bonus").get()
    assert grant.to_dict()["amount"] == DEPOSIT  # 100% of the first deposit
    balance = ledger.balance(PLAYER)
    assert balance is not None
    assert (balance.cash, balance.bonus) == (DEPOSIT, DEPOSIT)


def test_a_push_that_is_not_an_event_is_answered_400(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    body = push("FundsDeposited", "wallet", FUNDS_DEPOSITED)
    body["message"]["data"] = "not base64 JSON"

    response = function_client("promotions").post("/", json=body)

    assert response.status_code == 400
    assert "not base64 JSON" in response.get_data(as_text=True)
    assert not firestore_client.document(f"promotion_players/{PLAYER}").get().exists
