"""The promotions function in hybrid mode (the operator's wallet), through functions-framework.

A bonus to the operator's wallet is not built on GCP (gcp_bonuses.py: its signing key is read from SSM
Parameter Store, AWS's only): a push that earns one fails, so Pub/Sub retries it and then dead-letters
it, and no grant is recorded. It is never acknowledged with the bonus dropped.
"""

from __future__ import annotations

from typing import Any

from tests.gcp.functions import PLAYER, function_client, push

from {{ cookiecutter.package_name }}.compliance import CURRENCY

FUNDS_DEPOSITED = {
    "event_id": "deposit-event-1",
    "correlation_id": "corr-8",
    "occurred_at": "2026-12-04T12:00:00+00:00",
    "player_id": PLAYER,
    "amount": 5_000,
    "currency": CURRENCY,
}


def test_a_first_deposit_earning_a_bonus_is_not_acked(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    body = push("FundsDeposited", "wallet", FUNDS_DEPOSITED)

    response = function_client("promotions").post("/", json=body)

    assert response.status_code == 500  # retried by Pub/Sub, then dead-lettered
    assert not firestore_client.document(f"promotion_players/{PLAYER}/grants/welcome-bonus").get().exists
