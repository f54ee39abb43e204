"""The HTTP API's JWT authorizer in front of the app, for the local run (`make dev`, the demo's tests).

On AWS the HTTP API verifies the token and serverless-wsgi hands the verdict to Flask as
environ["serverless.authorizer"] = {"jwt": {"claims": {...}, "scopes": [...]}}. Locally, LocalGateway
does the same for tokens of tools/local_auth.py's LocalIssuer, and serves the issuer's token route.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

import jwt

from tools.local_auth import TOKEN_PATH, LocalIssuer, json_answer, token_route

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def authorizer_context(claims: dict[str, Any]) -> dict[str, Any]:
    """requestContext.authorizer as the HTTP API's JWT authorizer fills it (payload format 2.0)."""
    # API Gateway hands every claim over as a string and the `scope` claim as a list of scopes.
    scopes = str(claims.get("scope", "")).split()
    return {
        "jwt": {
            "claims": {name: _claim_text(value) for name, value in claims.items()},
            "scopes": scopes or None,
        }
    }


def _claim_text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)


class LocalGateway:
    """WSGI middleware in the HTTP API's place: the issuer's token route, then the JWT authorizer."""

    def __init__(self, app: WsgiApp, issuer: LocalIssuer) -> None:
        self.app = app
        self.issuer = issuer

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == TOKEN_PATH:
            return token_route(self.issuer, environ, start_response)
        request_context: dict[str, Any] = {"requestId": uuid.uuid4().hex}
        header = environ.get("HTTP_AUTHORIZATION")
        if header is not None:
            # As the HTTP API takes it: with or without "Bearer "; a bad token never reaches the app.
            token = header.split(" ", 1)[1] if header.lower().startswith("bearer ") else header
            try:
                claims = self.issuer.verify(token.strip())
            except jwt.PyJWTError:
                return json_answer(start_response, 401, {"message": "Unauthorized"})
            request_context["authorizer"] = authorizer_context(claims)
        environ["serverless.event"] = {"version": "2.0", "requestContext": request_context}
        environ["serverless.authorizer"] = request_context.get("authorizer")
        return self.app(environ, start_response)
