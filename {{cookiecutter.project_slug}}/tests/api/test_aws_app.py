"""The module-level `app` wiring: AWS adapters built from the environment, against the moto server."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.http_api import ApiClient
from tests.support.tables import create_event_bus, table_environment

from {{ cookiecutter.package_name }}.api.app import aws_services, create_app

# A route that needs the services (so the settings), whichever modules are on.
{%- if cookiecutter.module_wallet %}
A_PLAYER_ROUTE = ("GET", "/wallet")
{%- else %}
A_PLAYER_ROUTE = ("POST", "/sessions")
{%- endif %}


def test_health_answers_without_building_any_aws_client(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EVENT_BUS_NAME", "WALLET_TABLE_NAME", "SESSIONS_TABLE_NAME"):
        monkeypatch.delenv(name, raising=False)

    assert ApiClient(create_app(aws_services)).get("/health", player=None).status == 200


def test_missing_settings_are_a_logged_500_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)

    response = ApiClient(create_app(aws_services)).request(*A_PLAYER_ROUTE)

    assert response.status == 500
    assert response.error["code"] == "internal_error"


@pytest.mark.integration
def test_requests_reach_dynamodb_and_eventbridge(
    monkeypatch: pytest.MonkeyPatch, aws_tables: dict[str, str], events_client: Any
) -> None:
    monkeypatch.setenv("EVENT_BUS_NAME", create_event_bus(events_client))
    for variable, table in table_environment(aws_tables).items():
        monkeypatch.setenv(variable, table)
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://play.example.com")
    api = ApiClient(create_app(aws_services))
{%- if cookiecutter.module_sessions %}

    started = api.post("/sessions")
    assert started.status == 201
    heartbeat = api.post(f"/sessions/{started.json['session_id']}/heartbeat")
    assert (heartbeat.status, heartbeat.json["status"]) == (200, "active")
{%- endif %}
{%- if cookiecutter.module_wallet %}

    deposit = {"transaction_id": "dep-1", "amount": 1_000, "currency": "EUR"}
    bet = {"transaction_id": "bet-1", "amount": 400, "currency": "EUR"}
{%- if cookiecutter.module_responsible_gaming %}
    # The KYC gate fails closed: no money moves until the KYC provider has verified the player.
    assert api.post("/wallet/deposits", deposit).error["code"] == "kyc_required"
    assert api.post("/players/player-1/kyc", {"status": "verified"}, scopes=("players:kyc",)).status == 200
{%- endif %}
    assert api.post("/wallet/deposits", deposit).status == 201
    assert api.post("/wallet/bets", bet).status == 201
    assert api.post("/wallet/deposits", deposit).json["replayed"] is True
    assert api.get("/wallet").json == {"currency": "EUR", "cash": 600, "bonus": 0}
{%- endif %}
    preflight = api.request("OPTIONS", "/health", player=None, headers={"origin": "https://play.example.com"})
    assert preflight.headers["access-control-allow-origin"] == "https://play.example.com"
