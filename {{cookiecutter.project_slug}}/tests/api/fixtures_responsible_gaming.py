"""Player protection's fixtures for the API tests: the protection service, the wallet's guard, and the
sessions' reality checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
    KycStatus,
    PlayerProtection,
    ProtectionService,
)

PROTECTION_SOURCE = "{{ cookiecutter.package_name }}.responsible_gaming"
# Whatever the jurisdiction's own interval (none for some), the API tests run with reality checks.
REALITY_CHECK_MINUTES = 60


@pytest.fixture
def protection(
    ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock
) -> ProtectionService:
    return ProtectionService(ledger, publisher, clock, PROTECTION_SOURCE)


@pytest.fixture
def wallet_guard(ledger: InMemoryLedgerStore, protection: ProtectionService) -> dict[str, Any]:
    """Player protection guards the wallet (overrides fixtures_wallet.py's no-op guard)."""
    # Imported here, not at the top: tests/conftest.py loads this file for every test, and the HTTP
    # harness reads the cloud's gateway settings, which only the API tests need.
    from tests.api.http_api import OTHER_PLAYER, PLAYER

    # The KYC gate fails closed: the two test players are verified here, so the wallet's own rules show.
    for player_id in (PLAYER, OTHER_PLAYER):
        ledger.save_protection(PlayerProtection(player_id, kyc=KycStatus.VERIFIED, version=1))
    return {"protection": protection}


@pytest.fixture
def session_options() -> dict[str, Any]:
    """Sessions with reality checks (overrides fixtures_sessions.py's none)."""
    return {"reality_check_minutes": REALITY_CHECK_MINUTES}


@pytest.fixture
def service_responsible_gaming(protection: ProtectionService) -> ProtectionService:
    return protection


@pytest.fixture
def session_view_extras(clock: FixedClock) -> dict[str, Any]:
    """A new session's reality check (overrides fixtures_sessions.py's nothing)."""
    return {
        "reality_check": {
            "interval_minutes": REALITY_CHECK_MINUTES,
            "checks_due": 0,
            "next_due_at": (clock.now() + timedelta(minutes=REALITY_CHECK_MINUTES)).isoformat(),
        }
    }
