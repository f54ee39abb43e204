"""API Gateway's JWT check in front of the api function, for the local run (`make dev`, `make demo`).

In the cloud, API Gateway validates the caller's JWT against the route's security (the issuer, the
audience) and hands the function the verified claims in `X-Apigateway-Api-Userinfo` (base64url JSON),
replacing any such header the caller sent; the function reads them there (api/gcp.py). Locally,
GatewayStandIn does the same for tokens of tools/local_auth.py's LocalIssuer, with each route's
security read from the API's contract (api/openapi.yaml), as the AWS flavour's authorizer does:
- a route with no security (the health check) passes as it is, without claims;
- a route that needs a token: none, or one the issuer did not sign for its audience, answers 401; a
  token without the route's scopes (a server caller's route) answers 403; neither reaches the app;
- a path the contract does not name reaches the app without claims (its 404).
It also serves the issuer's token route (tools/local_auth.py).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import yaml

from tools.local_auth import TOKEN_PATH, LocalIssuer, json_response, token_route
from tools.project import SRC_DIR

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
USERINFO_HEADER = "HTTP_X_APIGATEWAY_API_USERINFO"


@dataclass(frozen=True)
class Route:
    """One operation of the contract: its method, its path as a pattern, the scopes it needs."""

    method: str
    pattern: re.Pattern[str]
    needs_token: bool
    scopes: tuple[str, ...]


def contract_routes(contract: Path | None = None) -> list[Route]:
    """Every operation of api/openapi.yaml with its security; literal paths before templated ones."""
    path = contract or next(SRC_DIR.glob("*/api/openapi.yaml"))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    default = document.get("security", [])
    routes = []
    for template, operations in document["paths"].items():
        pattern = re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)))
        for method, operation in operations.items():
            security = operation.get("security", default)
            scopes = tuple(
                scope for requirement in security for listed in requirement.values() for scope in listed
            )
            routes.append(Route(method.upper(), pattern, bool(security), scopes))
    return sorted(routes, key=lambda route: route.pattern.pattern.count("[^/]+"))


def route_scopes(routes: Iterable[Route]) -> tuple[str, ...]:
    """Every scope a route asks for (a server caller's token carries them)."""
    return tuple(sorted({scope for route in routes for scope in route.scopes}))


def userinfo(claims: dict[str, Any]) -> str:
    """Claims as API Gateway hands them over: base64url JSON, without padding."""
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")


class GatewayStandIn:
    """WSGI middleware in API Gateway's place: the issuer's token route, then the JWT check."""

    def __init__(self, app: WsgiApp, issuer: LocalIssuer, routes: list[Route] | None = None) -> None:
        self.app = app
        self.issuer = issuer
        self.routes = contract_routes() if routes is None else routes

    def route(self, method: str, path: str) -> Route | None:
        return next(
            (route for route in self.routes if route.method == method and route.pattern.fullmatch(path)), None
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == TOKEN_PATH:
            return token_route(self.issuer, environ, start_response)
        environ.pop(USERINFO_HEADER, None)  # only the gateway's own header reaches the function
        route = self.route(str(environ.get("REQUEST_METHOD")), str(environ.get("PATH_INFO")))
        if route is None or not route.needs_token:
            return self.app(environ, start_response)
        header = str(environ.get("HTTP_AUTHORIZATION", ""))
        token = header.split(" ", 1)[1] if header.lower().startswith("bearer ") else ""
        try:
            claims = self.issuer.verify(token.strip())
        except jwt.PyJWTError:
            return json_response(start_response, 401, {"message": "Unauthorized"})
        granted = str(claims.get("scope", "")).split()
        if any(scope not in granted for scope in route.scopes):
            return json_response(start_response, 403, {"message": "Forbidden"})
        environ[USERINFO_HEADER] = userinfo(claims)
        return self.app(environ, start_response)
