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
{%- if cookiecutter.module_wallet %}
from tests.api.http_api import (
    PLAYER,
    PLAYER_APP_CLIENT,
    SERVER_CLIENTS,
    SERVER_SCOPES,
    STAND_INS,
    server_callers,
)
{%- else %}
from tests.api.http_api import PLAYER, PLAYER_APP_CLIENT
{%- endif %}

from {{ cookiecutter.package_name }}.adapters.memory import (
    InMemoryEventPublisher,
{%- if cookiecutter.module_wallet %}
    InMemoryLedgerStore,
{%- endif %}
{%- if cookiecutter.module_sessions %}
    InMemorySessionStore,
{%- endif %}
)
{%- if cookiecutter.module_leaderboards %}
from {{ cookiecutter.package_name }}.adapters.memory_leaderboards import InMemoryLeaderboardStore
{%- endif %}
{%- if cookiecutter.module_notifications %}
from {{ cookiecutter.package_name }}.adapters.memory_notifications import (
    InMemoryChannel,
    InMemoryNotificationStore,
)
{%- endif %}
{%- if cookiecutter.module_promotions %}
from {{ cookiecutter.package_name }}.adapters.memory_promotions import InMemoryPromotionStore
{%- endif %}
from {{ cookiecutter.package_name }}.api.app import Services, create_app
{%- if cookiecutter.module_wallet %}
from {{ cookiecutter.package_name }}.api.server_calls import MAX_HEADER_LENGTH, SIGNATURE_HEADER
{%- endif %}
{%- if cookiecutter.module_leaderboards %}
from {{ cookiecutter.package_name }}.domain.leaderboards import LeaderboardService
{%- endif %}
{%- if cookiecutter.module_notifications %}
from {{ cookiecutter.package_name }}.domain.notifications import NotificationService
{%- endif %}
{%- if cookiecutter.module_promotions %}
from {{ cookiecutter.package_name }}.domain.promotions import PromotionBoard, packaged_promotions
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
    KycStatus,
    PlayerProtection,
    ProtectionService,
)
{%- endif %}
{%- if cookiecutter.module_sessions %}
from {{ cookiecutter.package_name }}.domain.sessions import SessionService
{%- endif %}
{%- if cookiecutter.module_wallet %}
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
{%- endif %}
from {{ cookiecutter.package_name }}.settings import SystemClock

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
{%- if cookiecutter.module_wallet %}
        method = environ["REQUEST_METHOD"]
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "replace")
        route = STAND_INS.route(method, path)
        if route is not None:
            caller = route[0]
            claims = {"sub": SERVER_CLIENTS[caller], "client_id": SERVER_CLIENTS[caller]}
            scopes = list(SERVER_SCOPES[caller])
            # The generated header's value is a placeholder the server caller's real signature replaces;
            # a request without the header stays unsigned (the app answers 401).
            name = "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")
            if len(environ.get(name, "")) in range(1, MAX_HEADER_LENGTH + 1):
                environ[name] = STAND_INS.headers(caller, method, path, body)[SIGNATURE_HEADER]
{%- endif %}
        # No bearer token, no claims (the app answers 401); any bearer token stands for a verified one.
        if BEARER.fullmatch(environ.get("HTTP_AUTHORIZATION", "")):
            environ["serverless.authorizer"] = {"jwt": {"claims": claims, "scopes": scopes}}
        environ["serverless.event"] = {"version": "2.0", "requestContext": {"requestId": uuid.uuid4().hex}}
        return self.app(environ, start_response)


def fuzzed_app() -> WsgiApp:
    """The API on in-memory adapters; the player may play (verified, no exclusion)."""
    publisher = InMemoryEventPublisher()
    clock = SystemClock()
{%- if cookiecutter.module_wallet %}
    ledger = InMemoryLedgerStore(relay=publisher)
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
    protection = ProtectionService(ledger, publisher, clock, "fuzz.responsible_gaming")
    ledger.save_protection(PlayerProtection(PLAYER, kyc=KycStatus.VERIFIED, version=1))
{%- endif %}
    services = Services(
{%- if cookiecutter.module_wallet %}
{%- if cookiecutter.module_responsible_gaming %}
        wallet=Wallet(ledger, clock, "fuzz.wallet", protection=protection),
        protection=protection,
{%- else %}
        wallet=Wallet(ledger, clock, "fuzz.wallet"),
{%- endif %}
{%- endif %}
{%- if cookiecutter.module_sessions %}
        sessions=SessionService(InMemorySessionStore(), publisher, clock, "fuzz.sessions"),
{%- endif %}
        events=publisher,
{%- if cookiecutter.module_wallet %}
        server_callers=server_callers(),
{%- endif %}
{%- if cookiecutter.module_promotions %}
        promotions=PromotionBoard(packaged_promotions(), InMemoryPromotionStore(), clock),
{%- endif %}
{%- if cookiecutter.module_notifications %}
        notifications=NotificationService(
            InMemoryNotificationStore(), InMemoryChannel(), publisher, clock, "fuzz.notifications"
        ),
{%- endif %}
{%- if cookiecutter.module_leaderboards %}
        leaderboards=LeaderboardService(InMemoryLeaderboardStore(), publisher, clock, "fuzz.leaderboards"),
{%- endif %}
    )
    return AuthorizerStandIn(create_app(services))


APP = fuzzed_app()


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_the_api_answers_every_generated_request_within_its_contract(case: Any) -> None:
    operation = case.operation.label
    SENT[operation] = SENT.get(operation, 0) + 1  # by operation: a negative case may change the method
    case.call_and_validate(app=APP, checks=CHECKS)
