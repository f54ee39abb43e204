"""HTTP API (payload format 2.0) events with JWT claims, sent through serverless-wsgi like Lambda does."""

from __future__ import annotations

import importlib
import importlib.util
import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import serverless_wsgi
from flask import Flask
from tests.api.contract import contract_violations
from tests.support.region import REGION
from tools.local_auth import ServerStandIns

from {{ cookiecutter.package_name }}.api.context import ServerCaller
from {{ cookiecutter.package_name }}.registry import MODULES

PLAYER = "player-1"
OTHER_PLAYER = "player-2"
ALLOWED_ORIGIN = "https://play.example.com"
API_ID = "a1b2c3d4e5"  # pragma: allowlist secret (an API id: hex digits, not a secret)
API_HOST = f"{API_ID}.execute-api.{REGION}.amazonaws.com"
_NO_BODY = object()
# The OAuth client of the casino's own front end: players' tokens are issued to it.
PLAYER_APP_CLIENT = "player-app"
# Each module's server callers in these tests (tests/api/callers_<module>.py): caller name -> (OAuth
# client, scope, signing key); the wallet's file also brings the API's signing scheme.
_CALLER_FILES = [
    importlib.import_module(f"tests.api.callers_{name}")
    for name in MODULES
    if importlib.util.find_spec(f"tests.api.callers_{name}") is not None
]
_SERVERS: dict[str, tuple[str, str, str]] = {
    name: server for file in _CALLER_FILES for name, server in file.SERVERS.items()
}
SERVER_CLIENTS = {name: client for name, (client, _, _) in _SERVERS.items()}
SERVER_SCOPES = {name: (scope,) for name, (_, scope, _) in _SERVERS.items()}
SIGNING_KEYS = {name: key for name, (_, _, key) in _SERVERS.items()}
_SCHEME = next((file for file in _CALLER_FILES if hasattr(file, "sign")), None)
# Stand-ins for the server callers: they sign as the real servers would (tools/local_auth.py).
# None: no module of this project has server callers.
STAND_INS = (
    None
    if _SCHEME is None
    else ServerStandIns(SERVER_CLIENTS, SIGNING_KEYS, _SCHEME.sign, _SCHEME.SIGNATURE_HEADER)
)
_SIGNATURE_HEADER: str = "" if _SCHEME is None else _SCHEME.SIGNATURE_HEADER
# Longest signature header the API reads (api/server_calls.py).
MAX_SIGNATURE_HEADER_LENGTH: int = 0 if _SCHEME is None else _SCHEME.MAX_HEADER_LENGTH


def server_callers(**keys: tuple[str, ...] | None) -> dict[str, ServerCaller]:
    """The server callers of the tests' app; `keys` replaces a caller's signing keys (None: no key)."""
    return {
        name: ServerCaller(
            scope=SERVER_SCOPES[name][0],
            client_ids=frozenset({client}),
            signing_keys=_keys(keys.get(name, (SIGNING_KEYS[name],))),
        )
        for name, client in SERVER_CLIENTS.items()
    }


def _keys(keys: tuple[str, ...] | None) -> Any:
    return None if keys is None else lambda: keys


def signature_headers(
    caller: str, method: str, path: str, body: str, *, at: int | None = None
) -> dict[str, str]:
    """The caller's signature header of a request, made now (or at the unix time `at`)."""
    assert STAND_INS is not None, "no module of this project has server callers"
    return STAND_INS.headers(caller, method, path, body.encode(), at=at)


def http_event(
    method: str,
    path: str,
    *,
    body: str | None = None,
    player: str | None = PLAYER,
    headers: dict[str, str] | None = None,
    request_id: str = "req-0001",
    scopes: tuple[str, ...] | None = None,
    client_id: str = PLAYER_APP_CLIENT,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event; `player=None` leaves out the JWT claims.

    `player` is the token's subject and `client_id` the OAuth client it was issued to (a server
    caller's token names its own client as subject too).
    """
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": API_ID,
        "domainName": API_HOST,
        "domainPrefix": API_ID,
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.10",
            "userAgent": "pytest",
        },
        "requestId": request_id,
        "routeKey": f"{method} {path}",
        "stage": "$default",
        "time": "01/Jan/2030:12:00:00 +0000",
        "timeEpoch": 1893499200000,
    }
    if player is not None:
        # What the JWT authorizer hands over once it has verified the token; claims are strings.
        request_context["authorizer"] = {
            "jwt": {
                "claims": {
                    "sub": player,
                    "client_id": client_id,
                    "iss": "https://issuer.example.com",
                    "token_use": "access",
                },
                "scopes": list(scopes) if scopes else None,
            }
        }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "accept": "application/json",
            "content-type": "application/json",
            "host": API_HOST,
            "x-forwarded-for": "203.0.113.10",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
            **(headers or {}),
        },
        "requestContext": request_context,
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = body
    return event


@dataclass(frozen=True)
class ApiResponse:
    """What API Gateway would send back, with the body parsed when it is JSON."""

    status: int
    headers: dict[str, str]
    json: Any

    @property
    def error(self) -> dict[str, Any]:
        error: dict[str, Any] = self.json["error"]
        return error


class ApiClient:
    """Sends hand-built HTTP API events to the app through serverless_wsgi.handle_request.

    A request to a server route (a deposit, a win, a KYC verdict) is sent as its server caller would
    send it for `player`: the caller's own token (client id and scopes), `player_id` and `kind` added
    to a JSON object body, and the caller's signature of the time, method, path and body (unless
    `unsigned` or `headers` has one). `as_player` sends it with the player's own token instead, unsigned;
    `caller` picks another server's token and key; `client_id` is the player token's client.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.context = SimpleNamespace(function_name="api", aws_request_id="lambda-req-1")

    def request(
        self,
        method: str,
        path: str,
        json_body: Any = _NO_BODY,
        *,
        raw_body: str | None = None,
        player: str | None = PLAYER,
        headers: dict[str, str] | None = None,
        scopes: tuple[str, ...] | None = None,
        as_player: bool = False,
        caller: str | None = None,
        unsigned: bool = False,
        client_id: str = PLAYER_APP_CLIENT,
    ) -> ApiResponse:
        subject, headers = player, dict(headers or {})
        body = raw_body if json_body is _NO_BODY else json.dumps(json_body)
        stand_ins = STAND_INS
        server_route = stand_ins is not None and stand_ins.route(method, path) is not None
        if stand_ins is not None and server_route and not as_player and player is not None:
            payload = (raw_body or "").encode() if json_body is _NO_BODY else json_body
            call = stand_ins.call(method, path, payload, player, caller=caller)
            body = None if body is None else call.body.decode()
            subject = client_id = call.client_id
            scopes = scopes or SERVER_SCOPES[call.caller]
            if not unsigned and _SIGNATURE_HEADER not in headers:
                headers.update(call.headers)
        event = http_event(
            method, path, body=body, player=subject, headers=headers, scopes=scopes, client_id=client_id
        )
        result = serverless_wsgi.handle_request(self.app, event, self.context)
        response_headers = {key.lower(): value for key, value in result.get("headers", {}).items()}
        text = result.get("body")
        parsed = (
            json.loads(text) if text and response_headers.get("content-type") == "application/json" else None
        )
        response = ApiResponse(result["statusCode"], response_headers, parsed)
        # Every answer of the API tests is checked against the OpenAPI document (tests/api/contract.py).
        violations = contract_violations(self.app, method, path, response.status, parsed)
        assert not violations, violations
        return response

    def get(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = _NO_BODY, **kwargs: Any) -> ApiResponse:
        return self.request("POST", path, json_body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("DELETE", path, **kwargs)
