"""Player protection's part of tests/api/test_aws_app.py: the KYC gate in the wallet's table."""

from __future__ import annotations

from typing import Any

from tests.api.http_api import ApiClient


def before_money_moves(api: ApiClient, deposit: dict[str, Any]) -> None:
    # The KYC gate fails closed: no money moves until the KYC provider has verified the player.
    assert api.post("/wallet/deposits", deposit).error["code"] == "kyc_required"
    assert api.post("/players/player-1/kyc", {"status": "verified"}).status == 200
