"""The local run's HTTP API stand-in (tools/aws/gateway.py): the JWT authorizer and the token route."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import jwt
import pytest
from tools.aws.gateway import LocalGateway, authorizer_context
from tools.local_auth import TOKEN_PATH, LocalIssuer
from werkzeug.test import Client

ISSUER_URL = "http://127.0.0.1:8000/local-auth"


def echo_authorizer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answers with what the gateway handed over to the app."""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"authorizer": environ.get("serverless.authorizer")}).encode()]


@pytest.fixture
def issuer() -> LocalIssuer:
    return LocalIssuer.with_random_key(ISSUER_URL)


@pytest.fixture
def gateway(issuer: LocalIssuer) -> Client:
    return Client(LocalGateway(echo_authorizer, issuer))


def test_gateway_hands_the_app_the_claims_and_scopes_the_http_api_would(
    issuer: LocalIssuer, gateway: Client
) -> None:
    token = issuer.issue("player-1", ["wallet:credit"])

    response = gateway.get("/wallet", headers={"Authorization": f"Bearer {token}"})

    authorizer = response.get_json()["authorizer"]
    assert authorizer["jwt"]["scopes"] == ["wallet:credit"]
    assert authorizer["jwt"]["claims"]["sub"] == "player-1"
    assert all(isinstance(value, str) for value in authorizer["jwt"]["claims"].values())


def test_a_player_token_carries_no_scopes(issuer: LocalIssuer) -> None:
    claims = issuer.verify(issuer.issue("player-1"))

    assert authorizer_context(claims)["jwt"]["scopes"] is None


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(LocalIssuer.with_random_key(ISSUER_URL).issue("player-1"), id="another-runs-key"),
        pytest.param(LocalIssuer.with_random_key("http://elsewhere").issue("player-1"), id="another-issuer"),
        pytest.param("not-a-token", id="garbage"),
    ],
)
def test_gateway_refuses_a_token_it_did_not_issue(gateway: Client, token: str) -> None:
    response = gateway.get("/wallet", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


def test_gateway_refuses_an_expired_token(issuer: LocalIssuer, gateway: Client) -> None:
    token = issuer.issue("player-1", ttl_seconds=-1)

    assert gateway.get("/wallet", headers={"Authorization": token}).status_code == 401


def test_a_request_without_a_token_reaches_the_app_without_claims(gateway: Client) -> None:
    assert gateway.get("/health").get_json() == {"authorizer": None}


def test_token_route_issues_a_token_the_gateway_accepts(issuer: LocalIssuer, gateway: Client) -> None:
    response = gateway.post(TOKEN_PATH, json={"sub": "player-7", "scopes": ["wallet:credit"]})

    claims = issuer.verify(response.get_json()["access_token"])
    assert (claims["sub"], claims["scope"]) == ("player-7", "wallet:credit")


@pytest.mark.parametrize(
    "body", [{"sub": ""}, {"sub": "p", "scopes": "wallet:credit"}, {"sub": "p", "scopes": ["bad scope"]}]
)
def test_token_route_refuses_a_malformed_request(gateway: Client, body: dict[str, Any]) -> None:
    assert gateway.post(TOKEN_PATH, json=body).status_code == 400


def test_tokens_are_signed_with_hs256_for_the_local_audience(issuer: LocalIssuer) -> None:
    header = jwt.get_unverified_header(issuer.issue("player-1"))

    assert header["alg"] == "HS256"
