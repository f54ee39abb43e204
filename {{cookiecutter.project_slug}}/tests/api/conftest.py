"""Fixtures of the API tests: the Flask app on in-memory adapters, driven through serverless-wsgi."""

from __future__ import annotations

import sys

import pytest
{%- if cookiecutter.module_responsible_gaming %}
from tests.api.http_api import ALLOWED_ORIGIN, OTHER_PLAYER, PLAYER, ApiClient, server_callers
{%- else %}
from tests.api.http_api import ALLOWED_ORIGIN, ApiClient, server_callers
{%- endif %}

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
{% if cookiecutter.module_wallet %}
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
{%- endif %}
{%- if cookiecutter.module_sessions %}
SESSIONS_SOURCE = "{{ cookiecutter.package_name }}.sessions"
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
PROTECTION_SOURCE = "{{ cookiecutter.package_name }}.responsible_gaming"
# Whatever the jurisdiction's own interval (none for some), the API tests run with reality checks.
REALITY_CHECK_MINUTES = 60
{%- endif %}
{%- if cookiecutter.module_wallet %}


@pytest.fixture
def ledger(publisher: InMemoryEventPublisher) -> InMemoryLedgerStore:
    # Committed entries' events reach the publisher, as the stream publisher carries them to the bus.
    return InMemoryLedgerStore(relay=publisher)


{%- if cookiecutter.module_responsible_gaming %}


@pytest.fixture
def protection(
    ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> ProtectionService:
    return ProtectionService(ledger, publisher, clock, PROTECTION_SOURCE)


@pytest.fixture
def wallet(
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
    protection: ProtectionService,
) -> Wallet:
    # The KYC gate fails closed: the two test players are verified here, so the wallet's own rules show.
    for player_id in (PLAYER, OTHER_PLAYER):
        ledger.save_protection(PlayerProtection(player_id, kyc=KycStatus.VERIFIED, version=1))
    return Wallet(ledger, clock, WALLET_SOURCE, protection=protection)
{%- else %}


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock) -> Wallet:
    return Wallet(ledger, clock, WALLET_SOURCE)
{%- endif %}
{%- endif %}
{%- if cookiecutter.module_sessions %}


@pytest.fixture
def session_store() -> InMemorySessionStore:
    return InMemorySessionStore()


@pytest.fixture
def session_service(
    session_store: InMemorySessionStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> SessionService:
{%- if cookiecutter.module_responsible_gaming %}
    return SessionService(
        session_store, publisher, clock, SESSIONS_SOURCE, reality_check_minutes=REALITY_CHECK_MINUTES
    )
{%- else %}
    return SessionService(session_store, publisher, clock, SESSIONS_SOURCE)
{%- endif %}
{%- endif %}


@pytest.fixture
def services(
{%- if cookiecutter.module_wallet %}
    wallet: Wallet,
{%- endif %}
{%- if cookiecutter.module_sessions %}
    session_service: SessionService,
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
    protection: ProtectionService,
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
        server_callers=server_callers(),
{%- if cookiecutter.module_responsible_gaming %}
        protection=protection,
{%- endif %}
    )


@pytest.fixture
def api(services: Services) -> ApiClient:
    return ApiClient(create_app(services))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many requests schemathesis generated and sent (tests/api/test_fuzz.py), when it ran."""
    # The module's name depends on pytest's import mode: found by its file name.
    fuzz = next((module for name, module in sys.modules.items() if name.endswith("test_fuzz")), None)
    sent: dict[str, int] = getattr(fuzz, "SENT", {})
    if sent:
        total, operations = sum(sent.values()), len(sent)
        terminalreporter.write_line(f"schemathesis sent {total} requests to {operations} operations")
