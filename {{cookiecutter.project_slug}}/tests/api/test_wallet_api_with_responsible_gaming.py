"""The wallet's answers with player protection on: its refusals carry the balance like any other."""

from __future__ import annotations

from tests.api.http_api import ApiClient

from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.guard import KycStatus, PlayerProtection

NEW_PLAYER = "player-unverified"


def test_a_protection_refusal_carries_the_balance(api: ApiClient, ledger: InMemoryLedgerStore) -> None:
    ledger.save_protection(PlayerProtection(NEW_PLAYER, kyc=KycStatus.UNVERIFIED, version=1))

    refused = api.post(
        "/wallet/bets",
        {"transaction_id": "bet-1", "round_id": "r-1", "amount": 100, "currency": "EUR"},
        player=NEW_PLAYER,
    )

    assert (refused.status, refused.error["code"]) == (403, "kyc_required")
    assert refused.json["balance"] == {"currency": None, "cash": 0, "bonus": 0}
