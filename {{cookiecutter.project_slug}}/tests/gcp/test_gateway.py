"""The local run's API Gateway stand-in (tools/gcp/gateway.py): the JWT check, the claims' header, the
token route. Behind it, an app that answers with the header it was handed; the api function reading
that header is tested in tests/gcp/test_api_userinfo.py."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jwt
import pytest
from tools.gcp.gateway import GatewayStandIn, Route, contract_routes, route_scopes, userinfo
from tools.local_auth import AUDIENCE, SCOPE_RE, TOKEN_PATH, LocalIssuer
from werkzeug.test import Client

ISSUER_URL = "http://127.0.0.1:8000/local-auth"
USERINFO = "X-Apigateway-Api-Userinfo"
# A contract shaped as api/openapi.yaml: a default security, an open route, a server caller's scoped route.
CONTRACT = """
security:
  - playerJwt: []
paths:
  /health:
    get: {security: []}
  /wallet:
    get: {}
  /players/me/limits:
    post: {}
  /players/{player_id}/kyc:
    post: {security: [{serverJwt: ["players:kyc"]}]}
  /wallet/deposits:
    post: {security: [{serverJwt: ["wallet:credit"]}]}
"""


def echo_userinfo(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answers with the claims the gateway handed over (None: no header)."""
    header = environ.get("HTTP_X_APIGATEWAY_API_USERINFO")
    claims = (
        None if header is None else json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    )
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"claims": claims}).encode()]


@pytest.fixture
def issuer() -> LocalIssuer:
    return LocalIssuer.with_random_key(ISSUER_URL)


@pytest.fixture
def routes(tmp_path: Path) -> list[Route]:
    contract = tmp_path / "openapi.yaml"
    contract.write_text(CONTRACT, encoding="utf-8")
    return contract_routes(contract)


@pytest.fixture
def gateway(issuer: LocalIssuer, routes: list[Route]) -> Client:
    return Client(GatewayStandIn(echo_userinfo, issuer, routes))


def a_route(scoped: bool) -> tuple[str, str]:
    """A route of CONTRACT: a server caller's (a scope), or a player's (a token, no scope)."""
    return ("POST", "/wallet/deposits") if scoped else ("GET", "/wallet")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_valid_token_reaches_the_app_as_its_claims_in_the_userinfo_header(
    issuer: LocalIssuer, gateway: Client
) -> None:
    method, path = a_route(scoped=False)
    token = issuer.issue("player-1")

    answer = gateway.open(path, method=method, headers=bearer(token)).get_json()

    assert answer["claims"] == jwt.decode(token, options={"verify_signature": False})
    assert answer["claims"]["aud"] == AUDIENCE


def test_a_forged_userinfo_header_is_replaced_by_the_verified_claims(
    issuer: LocalIssuer, gateway: Client
) -> None:
    method, path = a_route(scoped=False)
    forged = userinfo({"sub": "someone-else", "scope": "wallet:credit"})

    answer = gateway.open(path, method=method, headers={**bearer(issuer.issue("player-1")), USERINFO: forged})

    assert answer.get_json()["claims"]["sub"] == "player-1"


def test_a_forged_userinfo_header_never_reaches_an_open_route(gateway: Client) -> None:
    answer = gateway.get("/health", headers={USERINFO: userinfo({"sub": "someone-else"})})

    assert answer.status_code == 200
    assert answer.get_json() == {"claims": None}


def test_a_token_without_the_routes_scope_is_refused_with_403(issuer: LocalIssuer, gateway: Client) -> None:
    method, path = a_route(scoped=True)

    answer = gateway.open(path, method=method, headers=bearer(issuer.issue("a-server", client_id="a-server")))

    assert answer.status_code == 403
    assert answer.get_json() == {"message": "Forbidden"}


def test_a_token_with_the_routes_scope_passes(
    issuer: LocalIssuer, gateway: Client, routes: list[Route]
) -> None:
    method, path = a_route(scoped=True)
    scopes = route_scopes(routes)
    token = issuer.issue("a-server", scopes, client_id="a-server")

    answer = gateway.open(path, method=method, headers=bearer(token))

    assert answer.status_code == 200
    assert set(answer.get_json()["claims"]["scope"].split()) == set(scopes)


@pytest.mark.parametrize("token", ["", "not-a-jwt", "other-issuer", "other-audience", "expired"])
def test_a_missing_or_invalid_token_is_refused_with_401(
    issuer: LocalIssuer, gateway: Client, token: str
) -> None:
    method, path = a_route(scoped=False)
    tokens = {
        "other-issuer": LocalIssuer.with_random_key(ISSUER_URL).issue("player-1"),
        "other-audience": jwt.encode(
            {"iss": ISSUER_URL, "aud": "elsewhere", "sub": "p", "iat": 1, "exp": 2**40}, issuer.key, "HS256"
        ),
        "expired": issuer.issue("player-1", ttl_seconds=-10),
    }

    answer = gateway.open(path, method=method, headers=bearer(tokens.get(token, token)))

    assert answer.status_code == 401
    assert answer.get_json() == {"message": "Unauthorized"}


def test_token_route_issues_a_token_the_gateway_accepts(issuer: LocalIssuer, gateway: Client) -> None:
    method, path = a_route(scoped=False)
    token = gateway.post(TOKEN_PATH, json={"sub": "player-9"}).get_json()["access_token"]

    answer = gateway.open(path, method=method, headers=bearer(token))

    assert answer.get_json()["claims"]["sub"] == "player-9"


def test_a_templated_path_takes_its_scope_and_a_literal_one_wins_over_it(routes: list[Route]) -> None:
    stand_in = GatewayStandIn(echo_userinfo, LocalIssuer.with_random_key(ISSUER_URL), routes)

    kyc = stand_in.route("POST", "/players/p-1/kyc")
    limits = stand_in.route("POST", "/players/me/limits")

    assert kyc is not None
    assert kyc.scopes == ("players:kyc",)
    assert limits is not None
    assert (limits.needs_token, limits.scopes) == (True, ())
    assert stand_in.route("DELETE", "/wallet") is None


def test_the_projects_contract_is_read_every_scope_a_scope_name() -> None:
    routes = contract_routes()

    assert any(route.pattern.fullmatch("/health") and not route.needs_token for route in routes)
    assert all(SCOPE_RE.fullmatch(scope) for scope in route_scopes(routes))
