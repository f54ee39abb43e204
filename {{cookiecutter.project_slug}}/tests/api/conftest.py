"""Fixtures of the API tests: the Flask app on in-memory adapters, driven through serverless-wsgi."""

from __future__ import annotations

import pytest
from tests.api.http_api import ALLOWED_ORIGIN, ApiClient

from {{ cookiecutter.package_name }}.adapters.memory import (
    FixedClock,
    InMemoryEventPublisher,
{%- if cookiecutter.module_wallet %}
    InMemoryLedgerStore,
{%- endif %}
{%- if cookiecutter.module_sessions %}
    InMemorySessionStore,
{%- endif %}
)
from {{ cookiecutter.package_name }}.api.app import Services, create_app
{%- if cookiecutter.module_sessions %}
from {{ cookiecutter.package_name }}.domain.sessions import SessionService
{%- endif %}
{%- if cookiecutter.module_wallet %}
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
{%- endif %}
{% if cookiecutter.module_wallet %}
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
{%- endif %}
{%- if cookiecutter.module_sessions %}
SESSIONS_SOURCE = "{{ cookiecutter.package_name }}.sessions"
{%- endif %}
{%- if cookiecutter.module_wallet %}


@pytest.fixture
def ledger() -> InMemoryLedgerStore:
    return InMemoryLedgerStore()


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock) -> Wallet:
    return Wallet(ledger, publisher, clock, WALLET_SOURCE)
{%- endif %}
{%- if cookiecutter.module_sessions %}


@pytest.fixture
def session_store() -> InMemorySessionStore:
    return InMemorySessionStore()


@pytest.fixture
def session_service(
    session_store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> SessionService:
    return SessionService(session_store, publisher, clock, SESSIONS_SOURCE)
{%- endif %}


@pytest.fixture
def services(
{%- if cookiecutter.module_wallet %}
    wallet: Wallet,
{%- endif %}
{%- if cookiecutter.module_sessions %}
    session_service: SessionService,
{%- endif %}
    publisher: InMemoryEventPublisher,
) -> Services:
    return Services(
{%- if cookiecutter.module_wallet %}
        wallet=wallet,
{%- endif %}
{%- if cookiecutter.module_sessions %}
        sessions=session_service,
{%- endif %}
        cors_allowed_origins=(ALLOWED_ORIGIN,),
        events=publisher,
    )


@pytest.fixture
def api(services: Services) -> ApiClient:
    return ApiClient(create_app(services))
