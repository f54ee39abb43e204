"""The wallet's part of tests/api/test_aws_app.py: money through DynamoDB, server callers' keys in SSM."""

from __future__ import annotations

import uuid
from types import ModuleType

import boto3
import pytest
from tests.api.http_api import SERVER_CLIENTS, SIGNING_KEYS, ApiClient

from {{ cookiecutter.package_name }}.registry import enabled

PLAYER_ROUTE = ("GET", "/wallet")


def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each server caller's client id and signing key, the key in an SSM SecureString of the moto server."""
    ssm = boto3.client("ssm")
    prefix = f"/casino/test/{uuid.uuid4().hex[:8]}"
    for caller, client in SERVER_CLIENTS.items():
        name = f"{prefix}/{caller}-key"
        ssm.put_parameter(Name=name, Value=SIGNING_KEYS[caller], Type="SecureString")
        monkeypatch.setenv(f"{caller.upper()}_CLIENT_IDS", client)
        monkeypatch.setenv(f"{caller.upper()}_KEY_PARAMETER", name)


def walk(api: ApiClient, parts: list[ModuleType]) -> None:
    deposit = {"transaction_id": "dep-1", "amount": 1_000, "currency": "EUR"}
    bet: dict[str, object] = {
        "transaction_id": "bet-1",
        "round_id": "round-1",
        "amount": 400,
        "currency": "EUR",
    }
    # What other modules need before money moves (player protection: the KYC gate).
    for part in parts:
        if hasattr(part, "before_money_moves"):
            part.before_money_moves(api, deposit)
    assert api.post("/wallet/deposits", deposit).status == 201
    if enabled("sessions"):
        # In the player's session, which the jurisdiction may ask of a bet (compliance.BET_NEEDS_SESSION).
        bet["session_id"] = api.post("/sessions").json["session_id"]
    assert api.post("/wallet/bets", bet).status == 201
    assert api.post("/wallet/deposits", deposit).json["replayed"] is True
    assert api.get("/wallet").json == {"currency": "EUR", "cash": 600, "bonus": 0}
