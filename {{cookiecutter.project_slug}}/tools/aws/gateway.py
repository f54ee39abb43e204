"""The HTTP API's JWT authorizer in front of the app, for the local run (`make dev`, the demo's tests).

On AWS the HTTP API verifies the token and serverless-wsgi hands the verdict to Flask as
environ["serverless.authorizer"] = {"jwt": {"claims": {...}, "scopes": [...]}}. Locally, LocalGateway
does the same for tokens of tools/local_auth.py's LocalIssuer, and serves the issuer's token route.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import jwt

from tools.local_auth import (
    CLIENT_ID_RE,
    MAX_SUBJECT_LENGTH,
    MAX_TOKEN_REQUEST_BYTES,
    SCOPE_RE,
    TOKEN_PATH,
    TOKEN_TTL_SECONDS,
    LocalIssuer,
)

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
            return self._token(environ, start_response)
        request_context: dict[str, Any] = {"requestId": uuid.uuid4().hex}
        header = environ.get("HTTP_AUTHORIZATION")
        if header is not None:
            # As the HTTP API takes it: with or without "Bearer "; a bad token never reaches the app.
            token = header.split(" ", 1)[1] if header.lower().startswith("bearer ") else header
            try:
                claims = self.issuer.verify(token.strip())
            except jwt.PyJWTError:
                return _json(start_response, 401, {"message": "Unauthorized"})
            request_context["authorizer"] = authorizer_context(claims)
        environ["serverless.event"] = {"version": "2.0", "requestContext": request_context}
        environ["serverless.authorizer"] = request_context.get("authorizer")
        return self.app(environ, start_response)

    def _token(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _json(start_response, 405, {"message": "POST a JSON object to get a token"})
        try:
            length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_TOKEN_REQUEST_BYTES)
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
        except (ValueError, UnicodeDecodeError):
            return _json(start_response, 400, {"message": "the body must be a JSON object"})
        subject = request.get("sub") if isinstance(request, dict) else None
        scopes = request.get("scopes", []) if isinstance(request, dict) else None
        client_id = request.get("client_id") if isinstance(request, dict) else None
        if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT_LENGTH:
            return _json(start_response, 400, {"message": f"sub must be 1-{MAX_SUBJECT_LENGTH} characters"})
        if not isinstance(scopes, list) or not all(
            isinstance(s, str) and SCOPE_RE.fullmatch(s) for s in scopes
        ):
            return _json(start_response, 400, {"message": "scopes must be a list of scope names"})
        if client_id is not None and not (isinstance(client_id, str) and CLIENT_ID_RE.fullmatch(client_id)):
            return _json(start_response, 400, {"message": "client_id must be a client's id"})
        token = self.issuer.issue(subject, scopes, client_id=client_id)
        return _json(
            start_response,
            200,
            {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_TTL_SECONDS},
        )


def _json(start_response: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body).encode()
    reasons = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 405: "Method Not Allowed"}
    start_response(
        f"{status} {reasons[status]}",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [payload]
