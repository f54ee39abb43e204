"""HTTP API (payload format 2.0) events with JWT claims, sent through serverless-wsgi like Lambda does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import serverless_wsgi
from flask import Flask

PLAYER = "player-1"
OTHER_PLAYER = "player-2"
ALLOWED_ORIGIN = "https://play.example.com"
API_ID = "a1b2c3d4e5"  # pragma: allowlist secret (an API id: hex digits, not a secret)
API_HOST = f"{API_ID}.execute-api.{{ cookiecutter.region }}.amazonaws.com"
_NO_BODY = object()
# Tokens of the game server and payment provider carry the credit scope; a player's own token does not.
SERVER_SCOPES = ("wallet:credit",)


def http_event(
    method: str,
    path: str,
    *,
    body: str | None = None,
    player: str | None = PLAYER,
    headers: dict[str, str] | None = None,
    request_id: str = "req-0001",
    scopes: tuple[str, ...] | None = SERVER_SCOPES,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event; `player=None` leaves out the JWT claims."""
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
                "claims": {"sub": player, "iss": "https://issuer.example.com", "token_use": "access"},
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
    """Sends hand-built HTTP API events to the app through serverless_wsgi.handle_request."""

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
        scopes: tuple[str, ...] | None = SERVER_SCOPES,
    ) -> ApiResponse:
        body = raw_body if json_body is _NO_BODY else json.dumps(json_body)
        event = http_event(method, path, body=body, player=player, headers=headers, scopes=scopes)
        result = serverless_wsgi.handle_request(self.app, event, self.context)
        response_headers = {key.lower(): value for key, value in result.get("headers", {}).items()}
        text = result.get("body")
        parsed = (
            json.loads(text) if text and response_headers.get("content-type") == "application/json" else None
        )
        return ApiResponse(result["statusCode"], response_headers, parsed)

    def get(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = _NO_BODY, **kwargs: Any) -> ApiResponse:
        return self.request("POST", path, json_body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("DELETE", path, **kwargs)
