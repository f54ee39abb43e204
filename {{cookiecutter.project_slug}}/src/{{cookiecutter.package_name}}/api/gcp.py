"""The API on GCP: the `api` Cloud Run function's Flask app, its services built from the environment.

functions-framework calls gcp/api.py's `api` with each request; it hands the request to `app`. `app`
builds its GCP adapters (Firestore, Pub/Sub) on the first request that needs them, so importing this
module opens no connections. Each module brings its own GCP composition in api/gcp_<module>.py:
`SERVICE` (how its service is built) and `server_callers` (who may call it).

Who is calling: API Gateway validates the caller's JWT before the function runs and hands the function
the token's verified claims in the `X-Apigateway-Api-Userinfo` header (base64url JSON), replacing any
such header the caller sent. `with_userinfo` puts them where the routes read a verified token's claims
and scopes (api/context.py), as serverless-wsgi does on AWS, and removes whatever a caller put there.
A caller who reaches the function without the gateway could forge the header: that is why the api
function takes no such caller. Its only invoker (`roles/run.invoker`) is the gateway's service account,
its ingress internal and the load balancer only (infra/functions.tf); `make dev` runs the same
check in a local stand-in (tools/gcp/gateway.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .app import create_app
from .context import AUTHORIZER_KEY, ServerCaller, ServiceBuilder, Services, scopes_in
from .modules import modules_of

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["app", "gcp_app", "gcp_server_callers", "gcp_services", "userinfo_claims", "with_userinfo"]

# API Gateway's verified claims: the WSGI name of the X-Apigateway-Api-Userinfo header.
USERINFO_HEADER = "HTTP_X_APIGATEWAY_API_USERINFO"
# Longest header read: far more than a token's claims.
MAX_USERINFO_BYTES = 16384
# Claims that carry a token's scopes, space-separated: OAuth's `scope`, and `scp`.
SCOPE_CLAIMS = ("scope", "scp")


def gcp_app() -> Flask:
    """The API on GCP: the core services on the first request, each module's on the first that needs it."""
    modules: dict[str, ServiceBuilder] = {
        name: module.SERVICE for name, module in modules_of("gcp_") if hasattr(module, "SERVICE")
    }
    return create_app(gcp_services, modules)


def gcp_services() -> Services:
    """The core services on GCP: Pub/Sub on the topics of EVENT_TOPICS, the server callers, and the
    settings read once, which each module's builder (api/gcp_<module>.py) is handed."""
    from ..adapters.gcp_clients import event_publisher, gcp_settings

    settings = gcp_settings()
    return Services(
        cors_allowed_origins=settings.cors_allowed_origins,
        events=event_publisher(),
        server_callers=gcp_server_callers(os.environ),
        signature_tolerance_seconds=settings.signature_tolerance_seconds,
        core_settings=settings,
    )


def gcp_server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The servers that may call the API; each module names its own (api/gcp_<module>.py)."""
    callers: dict[str, ServerCaller] = {}
    for _, module in modules_of("gcp_"):
        if hasattr(module, "server_callers"):
            callers.update(module.server_callers(environ))
    return callers


app = gcp_app()


def with_userinfo(environ: dict[str, Any]) -> dict[str, Any]:
    """`environ` with API Gateway's verified claims (and their scopes) where the routes read them; never
    a value a caller set there. A missing, oversized or unreadable header leaves no claims: 401."""
    environ.pop(AUTHORIZER_KEY, None)
    claims = userinfo_claims(environ.get(USERINFO_HEADER))
    if claims is not None:
        environ[AUTHORIZER_KEY] = {"jwt": {"claims": claims, "scopes": scopes_of(claims)}}
    return environ


def userinfo_claims(header: object) -> dict[str, Any] | None:
    """The claims of the X-Apigateway-Api-Userinfo header (base64url JSON, padded or not), or None."""
    if not isinstance(header, str) or not header or len(header) > MAX_USERINFO_BYTES:
        return None
    try:
        text = base64.b64decode(header + "=" * (-len(header) % 4), altchars=b"-_", validate=True)
        claims = json.loads(text)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def scopes_of(claims: Mapping[str, Any]) -> list[str]:
    """The token's scopes: `scope` or `scp`, space-separated (or a list)."""
    return scopes_in(claims, SCOPE_CLAIMS)
