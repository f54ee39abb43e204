"""The wallet's fixtures for the API tests: an in-memory ledger, and the wallet on it."""

from __future__ import annotations

from typing import Any

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"


@pytest.fixture
def ledger(publisher: InMemoryEventPublisher) -> InMemoryLedgerStore:
    # Committed entries' events reach the publisher, as the stream publisher carries them to the bus.
    return InMemoryLedgerStore(relay=publisher)


@pytest.fixture
def wallet_guard() -> dict[str, Any]:
    """The wallet's guard, as Wallet's keywords: none here (its no-op default).

    Player protection's fixtures (fixtures_responsible_gaming.py, loaded after these) give theirs.
    """
    return {}


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, clock: FixedClock, wallet_guard: dict[str, Any]) -> Wallet:
    return Wallet(ledger, clock, WALLET_SOURCE, **wallet_guard)


@pytest.fixture
def service_wallet(wallet: Wallet) -> Wallet:
    return wallet
