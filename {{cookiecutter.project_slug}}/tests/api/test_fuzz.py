"""Schemathesis fuzzes the app from its OpenAPI document: no 5xx, no answer outside the contract.

Every operation gets generated requests, valid and invalid by the document (both generation modes), sent
in-process to the Flask app behind a stand-in for the HTTP API's authorizers: a request with a token
gets a player's claims on player routes, the server caller's claims on server routes, where a request
with a signature header gets the caller's real signature (so the fuzz reaches the app's own validation
and the wallet, not only the signature check). The checks: no server error,
every status and content type documented, every body valid against its response schema, and invalid
requests refused with a 4xx. `FUZZ_EXAMPLES` sets the examples per operation (default 25).
"""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from tests.api.contract import document
from tests.api.http_api import (
    MAX_SIGNATURE_HEADER_LENGTH,
    PLAYER,
    PLAYER_APP_CLIENT,
    SERVER_CLIENTS,
    SERVER_SCOPES,
    STAND_INS,
)

from {{ cookiecutter.package_name }}.api.app import Services, create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [
    # not_a_server_error runs on every call: a 5xx fails the case whatever else is checked.
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
BEARER = re.compile(r"[Bb]earer [A-Za-z0-9._~+/-]+=*")
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

schema = schemathesis.openapi.from_dict(document())
schema.config.generation.update(modes=list(GenerationMode), max_examples=EXAMPLES)
# How many requests the run sent, by operation: tests/api/conftest.py prints the total.
SENT: dict[str, int] = {}


class AuthorizerStandIn:
    """The HTTP API's authorizers and the server callers, in front of the app (as on Lambda)."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        claims: dict[str, str] = {"sub": PLAYER, "client_id": PLAYER_APP_CLIENT}
        scopes: list[str] | None = None
        method = environ["REQUEST_METHOD"]
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "replace")
        # No module with server callers: every route is a player's.
        route = None if STAND_INS is None else STAND_INS.route(method, path)
        if STAND_INS is not None and route is not None:
            caller = route[0]
            claims = {"sub": SERVER_CLIENTS[caller], "client_id": SERVER_CLIENTS[caller]}
            scopes = list(SERVER_SCOPES[caller])
            # The generated header's value is a placeholder the server caller's real signature replaces;
            # a request without the header stays unsigned (the app answers 401).
            signed = STAND_INS.headers(caller, method, path, body)
            header, signature = next(iter(signed.items()))
            name = "HTTP_" + header.upper().replace("-", "_")
            if len(environ.get(name, "")) in range(1, MAX_SIGNATURE_HEADER_LENGTH + 1):
                environ[name] = signature
        # No bearer token, no claims (the app answers 401); any bearer token stands for a verified one.
        if BEARER.fullmatch(environ.get("HTTP_AUTHORIZATION", "")):
            environ["serverless.authorizer"] = {"jwt": {"claims": claims, "scopes": scopes}}
        environ["serverless.event"] = {"version": "2.0", "requestContext": {"requestId": uuid.uuid4().hex}}
        return self.app(environ, start_response)


@pytest.fixture
def fuzzed_app(services: Services) -> WsgiApp:
    """The API on in-memory adapters (tests/api/conftest.py, every module's service); the player may play
    (verified, no exclusion)."""
    return AuthorizerStandIn(create_app(services))


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_the_api_answers_every_generated_request_within_its_contract(case: Any, fuzzed_app: WsgiApp) -> None:
    operation = case.operation.label
    SENT[operation] = SENT.get(operation, 0) + 1  # by operation: a negative case may change the method
    case.call_and_validate(app=fuzzed_app, checks=CHECKS)
