"""The server callers on Azure: their Entra ID tokens reach the API through App Service Authentication.

infra/ keeps the server callers' routes authenticated and admits their applications' client-credentials
tokens (active_directory_v2's allowed_applications); App Service Authentication hands the app the
token's claims in the principal header. Entra ID's v1 tokens (the default of an app registration) name
the client in `appid`, v2 tokens in `azp`: both are the caller's client id here, so a server caller is
recognised on its routes (and then needs its signature) and refused on a player's.
"""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")
pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

import azure.functions as func
from tests.azure.azurite import Azurite
from tools.azure.function_apps import index_of

from {{ cookiecutter.package_name }}.api.azure import principal_claims

PAYMENT_PROVIDER = "11111111-2222-4333-8444-555555555555"
OTHER_APPLICATION = "99999999-2222-4333-8444-555555555555"
# The payment provider's service principal (its object id): the `sub` of its client-credentials tokens.
SERVICE_PRINCIPAL = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


def entra_principal(client_claim: str, client_id: str) -> str:
    """App Service Authentication's principal header for an Entra ID client-credentials token."""
    claims = [
        {
            "typ": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
            "val": SERVICE_PRINCIPAL,
        },
        {"typ": client_claim, "val": client_id},
        {"typ": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "val": "wallet:credit"},
    ]
    return base64.b64encode(json.dumps({"auth_typ": "aad", "claims": claims}).encode()).decode()


@pytest.mark.parametrize("client_claim", ["appid", "azp"])
def test_an_entra_id_token_s_client_is_its_client_id(client_claim: str) -> None:
    claims = principal_claims(entra_principal(client_claim, PAYMENT_PROVIDER))

    assert claims is not None
    assert claims["azp"] == PAYMENT_PROVIDER


def test_a_token_naming_two_different_clients_names_none() -> None:
    header = base64.b64encode(
        json.dumps(
            {"claims": [{"typ": "appid", "val": PAYMENT_PROVIDER}, {"typ": "azp", "val": OTHER_APPLICATION}]}
        ).encode()
    ).decode()

    claims = principal_claims(header)

    assert claims is not None
    assert sorted(claims["azp"]) == [PAYMENT_PROVIDER, OTHER_APPLICATION]  # not one client: no route takes it


@pytest.fixture
def serve(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, str, str], func.HttpResponse]:
    """The API's HTTP trigger with the settings infra/ gives it (no Key Vault: the callers have no key)."""
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("WALLET_TABLE_NAME", table_factory().table_name)
    monkeypatch.setenv("PAYMENT_PROVIDER_CLIENT_IDS", PAYMENT_PROVIDER)
    monkeypatch.setenv("GAME_SERVER_CLIENT_IDS", "33333333-2222-4333-8444-555555555555")
    monkeypatch.delenv("KEY_VAULT_URI", raising=False)
    monkeypatch.setenv(
        "EVENT_TOPIC_ENDPOINT", "https://casino-events.westeurope-1.eventgrid.azure.net/api/events"
    )
    from {{ cookiecutter.package_name }}.azure_apps import api

    api = importlib.reload(api)  # its services read this test's settings on the first request
    trigger = index_of(api.app)["api"].call

    def call(method: str, path: str, header: str) -> func.HttpResponse:
        body = b'{"player_id": "player-1", "transaction_id": "dep-1", "amount": 100, "currency": "EUR"}'
        request = func.HttpRequest(
            method,
            f"https://casino.example{path}",
            headers={"X-MS-CLIENT-PRINCIPAL": header, "Content-Type": "application/json"},
            body=body if method == "POST" else b"",
        )
        response: func.HttpResponse = trigger(request, None)
        return response

    return call


def test_the_payment_provider_s_v1_token_is_refused_as_a_player(serve: Callable[..., Any]) -> None:
    answered = serve("GET", "/wallet", entra_principal("appid", PAYMENT_PROVIDER))

    assert answered.status_code == 403
    assert json.loads(answered.get_body())["error"]["code"] == "forbidden"


def test_the_payment_provider_s_v1_token_reaches_the_signature_check_of_its_route(
    serve: Callable[..., Any],
) -> None:
    # Its client id and scope are accepted; no signing key is configured here, so the call is refused
    # (503, which the Functions WSGI middleware raises for the host to answer) rather than let through
    # unsigned: the signature is still checked on every server call.
    with pytest.raises(Exception, match="signing_key_missing"):
        serve("POST", "/wallet/deposits", entra_principal("appid", PAYMENT_PROVIDER))


def test_another_application_s_token_is_refused_on_the_payment_provider_s_route(
    serve: Callable[..., Any],
) -> None:
    answered = serve("POST", "/wallet/deposits", entra_principal("appid", OTHER_APPLICATION))

    assert answered.status_code == 403
    assert json.loads(answered.get_body())["error"]["code"] == "forbidden"
