"""The API on Azure: the Flask app the API function app's HTTP trigger serves, its services from the settings.

azure_apps/api.py serves `with_principal(azure_app())` through azure-functions' WsgiMiddleware. The
services are built from the app settings infra/ gives the API (adapters/azure_environment.py) on the
first request that needs them, so building the app opens no connection. Each module brings its own
Azure composition in api/azure_<module>.py: `SERVICE` (how its service is built on Table Storage) and
`server_callers` (their keys from Key Vault: api/azure_server_calls.py).

Who is calling: App Service Authentication validates the caller's JWT before the code runs (a player's
from the players' OIDC provider, a server caller's from its Entra ID tenant) and hands the app its claims
in the `X-MS-CLIENT-PRINCIPAL` header (base64 JSON), which App Service removes from every request that
comes from outside; `with_principal` puts them where the routes read a verified token's claims and
scopes (api/context.py), as serverless-wsgi does on AWS, with Entra ID v1's `appid` as the client id.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .app import create_app
from .context import AUTHORIZER_KEY, ServerCaller, ServiceBuilder, Services, scopes_in
from .modules import modules_of

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["azure_app", "azure_server_callers", "azure_services", "with_principal"]

PRINCIPAL_HEADER = "HTTP_X_MS_CLIENT_PRINCIPAL"
# The long claim names Entra ID's tokens may arrive under, and the short ones the routes read.
CLAIM_NAMES = {
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier": "sub",
    "http://schemas.microsoft.com/identity/claims/scope": "scp",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/role": "roles",
}
# Claims that carry a token's scopes: OAuth's `scope`, Entra ID's `scp` (delegated) and `roles` (a
# client-credentials token's application permissions: how a server caller's client gets its scope).
SCOPE_CLAIMS = ("scope", "scp", "roles")
# Longest principal header read: far more than a token's claims.
MAX_PRINCIPAL_BYTES = 16384

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def azure_app(environ: Mapping[str, str] | None = None, *, events: Callable[[], Any] | None = None) -> Flask:
    """The API on Azure: each module's service built on the first request that needs it.

    `events` builds the publisher (the topic of EVENT_TOPIC_ENDPOINT by default; the local run and the
    tests give the local Event Grid).
    """
    env = os.environ if environ is None else environ
    modules: dict[str, ServiceBuilder] = {
        name: module.SERVICE for name, module in modules_of("azure_") if hasattr(module, "SERVICE")
    }
    return create_app(lambda: azure_services(env, events), modules)


def azure_services(environ: Mapping[str, str], events: Callable[[], Any] | None = None) -> Services:
    """The core services on Azure: the Event Grid topic, the server callers, the settings read once."""
    from ..adapters.azure_environment import core_settings, topic_publisher

    settings = core_settings(environ)
    return Services(
        cors_allowed_origins=settings.cors_allowed_origins,
        events=events() if events is not None else topic_publisher(environ),
        server_callers=azure_server_callers(environ),
        signature_tolerance_seconds=settings.signature_tolerance_seconds,
        core_settings=settings,
    )


def azure_server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The servers that may call the API, their client ids, their keys from Key Vault (each module's own)."""
    callers: dict[str, ServerCaller] = {}
    for _, module in modules_of("azure_"):
        if hasattr(module, "server_callers"):
            callers.update(module.server_callers(environ))
    return callers


def with_principal(app: WsgiApp) -> WsgiApp:
    """`app` reading App Service Authentication's principal as the verified token (claims and scopes)."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ.pop(AUTHORIZER_KEY, None)  # only the principal header, never a caller, sets it
        claims = principal_claims(environ.get(PRINCIPAL_HEADER))
        if claims is not None:
            environ[AUTHORIZER_KEY] = {"jwt": {"claims": claims, "scopes": scopes_of(claims)}}
        return app(environ, start_response)

    return wsgi


def principal_claims(header: str | None) -> dict[str, Any] | None:
    """The claims of App Service Authentication's principal header, or None without a readable one."""
    if not header or len(header) > MAX_PRINCIPAL_BYTES:
        return None
    try:
        principal = json.loads(base64.b64decode(header, validate=True))
    except (binascii.Error, ValueError):
        return None
    listed = principal.get("claims") if isinstance(principal, dict) else None
    if not isinstance(listed, list):
        return None
    claims: dict[str, Any] = {}
    for claim in listed:
        if not isinstance(claim, dict) or not isinstance(claim.get("typ"), str):
            continue
        name, value = CLAIM_NAMES.get(claim["typ"], str(claim["typ"])), claim.get("val")
        if name in claims:  # a claim given several times (roles) is a list
            earlier = claims[name]
            claims[name] = [*(earlier if isinstance(earlier, list) else [earlier]), value]
        else:
            claims[name] = value
    return with_client_id(claims)


def with_client_id(claims: dict[str, Any]) -> dict[str, Any]:
    """`claims` with Entra ID v1's `appid` (the client a token was issued to) also as `azp`.

    v2 tokens name the client in `azp`, which api/context.py reads; v1 tokens (an app registration's
    default) in `appid`. A token naming two different clients names none (a list: no route takes it).
    """
    appid = claims.get("appid")
    if appid is None:
        return claims
    azp = claims.get("azp")
    if azp is None or azp == appid:
        return {**claims, "azp": appid}
    return {**claims, "azp": sorted({str(appid), str(azp)})}


def scopes_of(claims: Mapping[str, Any]) -> list[str]:
    """The token's scopes: `scope` or `scp` (space-separated) and `roles`."""
    return scopes_in(claims, SCOPE_CLAIMS)
