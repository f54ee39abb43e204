"""App Service Authentication in front of the API, for the local run (`make dev`, `make demo`).

In Azure, App Service Authentication (infra/blocks/function_app: `auth_settings_v2`) validates the
caller's JWT before the code runs, answers 401 without a valid one, removes any `X-MS-CLIENT-PRINCIPAL`
header a caller sent, and hands the app the token's claims in that header (base64 JSON
`{"claims": [{"typ": ..., "val": ...}, ...]}`), which api/azure.py's `with_principal` reads. Locally,
AppServiceAuth does the same with tokens of tools/local_auth.py's LocalIssuer, and serves the issuer's
token route. Which routes need a token is the API's contract (api/openapi.yaml): every route but those
whose `security` is empty (the health check).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jwt
import yaml

from tools.azure.function_apps import PACKAGE
from tools.local_auth import TOKEN_PATH, LocalIssuer, json_response, token_route
from tools.project import SRC_DIR

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

OPENAPI = SRC_DIR / PACKAGE / "api" / "openapi.yaml"
# The headers App Service Authentication owns: a caller's own copy never reaches the app.
PRINCIPAL_HEADERS = (
    "HTTP_X_MS_CLIENT_PRINCIPAL",
    "HTTP_X_MS_CLIENT_PRINCIPAL_ID",
    "HTTP_X_MS_CLIENT_PRINCIPAL_NAME",
    "HTTP_X_MS_CLIENT_PRINCIPAL_IDP",
)
PRINCIPAL_HEADER = PRINCIPAL_HEADERS[0]
IDENTITY_PROVIDER = "local-issuer"


def open_paths(contract: Path = OPENAPI) -> frozenset[str]:
    """The contract's paths whose every operation takes no token (`security: []`)."""
    paths = yaml.safe_load(contract.read_text(encoding="utf-8"))["paths"]
    return frozenset(
        path
        for path, operations in paths.items()
        if all(
            operation.get("security") == []
            for operation in operations.values()
            if isinstance(operation, dict)
        )
    )


def route_scopes(contract: Path = OPENAPI) -> tuple[str, ...]:
    """Every scope a route of the contract asks for (what a server caller's token carries)."""
    paths = yaml.safe_load(contract.read_text(encoding="utf-8"))["paths"]
    scopes = {
        scope
        for operations in paths.values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for requirement in operation.get("security") or []
        for listed in requirement.values()
        for scope in listed
    }
    return tuple(sorted(scopes))


def principal(claims: dict[str, Any]) -> str:
    """The principal header App Service sends the app: base64 JSON, one `typ`/`val` per claim value."""
    listed = [
        {"typ": name, "val": str(item)}
        for name, value in claims.items()
        for item in (value if isinstance(value, list) else [value])
    ]
    document = {"auth_typ": IDENTITY_PROVIDER, "claims": listed, "name_typ": "sub", "role_typ": "roles"}
    return base64.b64encode(json.dumps(document).encode()).decode()


class AppServiceAuth:
    """WSGI middleware in App Service Authentication's place: the token route, then the token's check."""

    def __init__(self, app: WsgiApp, issuer: LocalIssuer, open_paths: frozenset[str]) -> None:
        self.app = app
        self.issuer = issuer
        self.open_paths = open_paths

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == TOKEN_PATH:
            return token_route(self.issuer, environ, start_response)
        for header in PRINCIPAL_HEADERS:  # only this layer speaks for the caller
            environ.pop(header, None)
        header = environ.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("bearer "):
            if environ.get("PATH_INFO") in self.open_paths:
                return self.app(environ, start_response)
            return json_response(start_response, 401, {"message": "Unauthorized"})
        try:
            claims = self.issuer.verify(header.split(" ", 1)[1].strip())
        except jwt.PyJWTError:
            return json_response(start_response, 401, {"message": "Unauthorized"})
        environ[PRINCIPAL_HEADER] = principal(claims)
        environ["HTTP_X_MS_CLIENT_PRINCIPAL_ID"] = str(claims["sub"])
        environ["HTTP_X_MS_CLIENT_PRINCIPAL_IDP"] = IDENTITY_PROVIDER
        return self.app(environ, start_response)
