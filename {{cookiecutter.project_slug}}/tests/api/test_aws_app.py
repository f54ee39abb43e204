"""The module-level `app` wiring: AWS adapters built from the environment, against the moto server."""

from __future__ import annotations

{% if cookiecutter.module_promotions or cookiecutter.module_notifications or cookiecutter.module_leaderboards %}import os
import subprocess
import sys
{% endif %}
{%- if cookiecutter.module_wallet %}import uuid
{% endif %}from typing import Any

{% if cookiecutter.module_wallet %}import boto3
{% endif %}import pytest
{%- if cookiecutter.module_wallet %}
from tests.api.http_api import SERVER_CLIENTS, SIGNING_KEYS, ApiClient
{%- else %}
from tests.api.http_api import ApiClient
{%- endif %}
from tests.support.tables import stack_environment
{%- if cookiecutter.module_promotions or cookiecutter.module_notifications or cookiecutter.module_leaderboards %}
from tools.stack import PROJECT_ROOT
{%- endif %}

from {{ cookiecutter.package_name }}.api.app import aws_app
{%- if cookiecutter.module_promotions or cookiecutter.module_notifications or cookiecutter.module_leaderboards %}
from {{ cookiecutter.package_name }}.api.context import SERVICES_KEY
{%- endif %}

# A route that needs the services (so the settings), whichever modules are on.
{%- if cookiecutter.module_wallet %}
A_PLAYER_ROUTE = ("GET", "/wallet")
{%- else %}
A_PLAYER_ROUTE = ("POST", "/sessions")
{%- endif %}


def test_health_answers_without_building_any_aws_client(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EVENT_BUS_NAME", "WALLET_TABLE_NAME", "SESSIONS_TABLE_NAME"):
        monkeypatch.delenv(name, raising=False)

    assert ApiClient(aws_app()).get("/health", player=None).status == 200


def test_missing_settings_are_a_logged_500_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)

    response = ApiClient(aws_app()).request(*A_PLAYER_ROUTE)

    assert response.status == 500
    assert response.error["code"] == "internal_error"


@pytest.mark.integration
def test_requests_reach_dynamodb_and_eventbridge(
    monkeypatch: pytest.MonkeyPatch, aws_tables: dict[str, str], events_client: Any
) -> None:
    stack_environment(monkeypatch, events_client, aws_tables)
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://play.example.com")
{%- if cookiecutter.module_wallet %}
    server_caller_environment(monkeypatch)
{%- endif %}
    api = ApiClient(aws_app())
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
    assert api.post("/players/player-1/kyc", {"status": "verified"}).status == 200
{%- endif %}
    assert api.post("/wallet/deposits", deposit).status == 201
    assert api.post("/wallet/bets", bet).status == 201
    assert api.post("/wallet/deposits", deposit).json["replayed"] is True
    assert api.get("/wallet").json == {"currency": "EUR", "cash": 600, "bonus": 0}
{%- endif %}
    preflight = api.request("OPTIONS", "/health", player=None, headers={"origin": "https://play.example.com"})
    assert preflight.headers["access-control-allow-origin"] == "https://play.example.com"
{%- if cookiecutter.module_wallet %}


def server_caller_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each server caller's client id and signing key, the key in an SSM SecureString of the moto server."""
    ssm = boto3.client("ssm")
    prefix = f"/casino/test/{uuid.uuid4().hex[:8]}"
    for caller, client in SERVER_CLIENTS.items():
        name = f"{prefix}/{caller}-key"
        ssm.put_parameter(Name=name, Value=SIGNING_KEYS[caller], Type="SecureString")
        monkeypatch.setenv(f"{caller.upper()}_CLIENT_IDS", client)
        monkeypatch.setenv(f"{caller.upper()}_KEY_PARAMETER", name)
{%- endif %}
{%- if cookiecutter.module_promotions or cookiecutter.module_notifications or cookiecutter.module_leaderboards %}


APP_MODULE = "{{ cookiecutter.package_name }}.api.app"
# Modules whose service the app builds on the first request to their routes: (field, route, domain).
LAZY_MODULES = [
{%- if cookiecutter.module_promotions %}
    ("promotions", "/promotions", "{{ cookiecutter.package_name }}.domain.promotions"),
{%- endif %}
{%- if cookiecutter.module_notifications %}
    (
        "notifications",
        "/players/me/notification-preferences",
        "{{ cookiecutter.package_name }}.domain.notifications",
    ),
{%- endif %}
{%- if cookiecutter.module_leaderboards %}
    ("leaderboards", "/leaderboards", "{{ cookiecutter.package_name }}.domain.leaderboards"),
{%- endif %}
]


def test_importing_the_app_loads_no_modules_domain_until_its_routes_are_called() -> None:
    """A cold start imports the app: the modules' domains are left for their routes' first request."""
    result = subprocess.run(
        [sys.executable, "-c", f"import sys, {APP_MODULE}; print(*sys.modules)"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(result.stdout.split())

    assert APP_MODULE in loaded
    assert [domain for _, _, domain in LAZY_MODULES if domain in loaded] == []


@pytest.mark.integration
def test_a_modules_service_is_built_on_its_first_request_only(
    monkeypatch: pytest.MonkeyPatch, aws_tables: dict[str, str], events_client: Any
) -> None:
    stack_environment(monkeypatch, events_client, aws_tables)
    app = aws_app()
    api = ApiClient(app)
    holder = app.extensions[SERVICES_KEY]

    assert api.request(*A_PLAYER_ROUTE).status < 300
    assert [field for field, _, _ in LAZY_MODULES if getattr(holder.get(), field) is not None] == []
    for field, route, _ in LAZY_MODULES:
        assert api.get(route).status == 200, route
        assert getattr(holder.get(), field) is not None, field
{%- endif %}
