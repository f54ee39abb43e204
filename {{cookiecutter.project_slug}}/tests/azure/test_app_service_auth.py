"""The local App Service Authentication (tools/azure/app_service_auth.py) in front of the API's WSGI app.

As App Service does: a route that needs a token answers 401 without a valid one; a principal header a
caller sent never reaches the app, and the app gets the one built from the verified token, which
api/azure.py's `with_principal` reads as the route's claims and scopes.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from tools.azure.app_service_auth import PRINCIPAL_HEADER, AppServiceAuth, open_paths, principal, route_scopes
from tools.local_auth import TOKEN_PATH, LocalIssuer

from {{ cookiecutter.package_name }}.api.azure import AUTHORIZER_KEY, with_principal

ISSUER_URL = "http://127.0.0.1:9/local-auth"


class RecordingApp:
    """The API's place: records the environ each request reaches it with."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.seen.append(dict(environ))
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]


def call(app: AppServiceAuth, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> str:
    """Send one request through the stand-in; its status line."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST" if body else "GET",
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    environ.update(
        {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()}
    )
    status: list[str] = []
    b"".join(app(environ, lambda line, headers: status.append(line)))
    return status[0]


@pytest.fixture
def issuer() -> LocalIssuer:
    return LocalIssuer.with_random_key(ISSUER_URL, "azp")


@pytest.fixture
def api() -> RecordingApp:
    return RecordingApp()


@pytest.fixture
def auth(api: RecordingApp, issuer: LocalIssuer) -> AppServiceAuth:
    return AppServiceAuth(api, issuer, open_paths())


def forged() -> str:
    claims = [{"typ": "sub", "val": "someone-else"}, {"typ": "scope", "val": "wallet:credit"}]
    return base64.b64encode(json.dumps({"claims": claims}).encode()).decode()


def test_a_route_without_a_token_answers_401_and_never_reaches_the_app(
    auth: AppServiceAuth, api: RecordingApp
) -> None:
    assert call(auth, "/wallet").startswith("401")
    assert call(auth, "/wallet", {"X-MS-CLIENT-PRINCIPAL": forged()}).startswith("401")
    assert api.seen == []


def test_a_token_of_another_issuer_answers_401(auth: AppServiceAuth, api: RecordingApp) -> None:
    stranger = LocalIssuer.with_random_key(ISSUER_URL, "azp").issue("player-1")

    assert call(auth, "/wallet", {"Authorization": f"Bearer {stranger}"}).startswith("401")
    assert api.seen == []


def test_a_forged_principal_header_is_replaced_by_the_verified_token_s(
    auth: AppServiceAuth, api: RecordingApp, issuer: LocalIssuer
) -> None:
    token = issuer.issue("player-1")

    status = call(auth, "/wallet", {"Authorization": f"Bearer {token}", "X-MS-CLIENT-PRINCIPAL": forged()})

    assert status.startswith("200")
    claims = {
        claim["typ"]: claim["val"]
        for claim in json.loads(base64.b64decode(api.seen[0][PRINCIPAL_HEADER]))["claims"]
    }
    assert claims["sub"] == "player-1"
    assert "scope" not in claims  # the forged header's scope is gone with it


def test_the_health_check_needs_no_token_and_gets_no_principal(
    auth: AppServiceAuth, api: RecordingApp
) -> None:
    assert call(auth, "/health", {"X-MS-CLIENT-PRINCIPAL": forged()}).startswith("200")
    assert PRINCIPAL_HEADER not in api.seen[0]


def test_the_app_reads_a_server_caller_s_client_and_scopes_from_the_principal(issuer: LocalIssuer) -> None:
    app = RecordingApp()
    auth = AppServiceAuth(with_principal(app), issuer, open_paths())
    token = issuer.issue("local-game-server", route_scopes(), client_id="local-game-server")

    assert call(auth, "/wallet/wins", {"Authorization": f"Bearer {token}"}).startswith("200")

    verified = app.seen[0][AUTHORIZER_KEY]["jwt"]
    assert verified["claims"]["azp"] == "local-game-server"  # api/context.py's client id claim
    assert set(verified["scopes"]) == set(route_scopes())


def test_the_token_route_issues_the_issuer_s_tokens(auth: AppServiceAuth, issuer: LocalIssuer) -> None:
    body = json.dumps({"sub": "player-1", "scopes": []}).encode()
    assert call(auth, TOKEN_PATH, body=body).startswith("200")
    assert call(auth, TOKEN_PATH, body=b'{"sub": ""}').startswith("400")


def test_principal_lists_each_value_of_a_list_claim() -> None:
    document = json.loads(base64.b64decode(principal({"sub": "p", "roles": ["a", "b"]})))

    assert {"typ": "roles", "val": "a"} in document["claims"]
    assert {"typ": "roles", "val": "b"} in document["claims"]
