"""Every wallet rule again, with player protection on as deployed: the guards must not change them.

Both players are verified and have no limits, so what the wallet's own rules decide shows unchanged.
"""

from __future__ import annotations

import pytest
from tests.unit.test_wallet import *  # noqa: F403 - the wallet's tests, collected here with this wallet
from tests.unit.test_wallet import OTHER_PLAYER, PLAYER, SOURCE

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
    KycStatus,
    PlayerProtection,
    ProtectionService,
)
from {{ cookiecutter.package_name }}.domain.wallet import Wallet


@pytest.fixture
def wallet(ledger: InMemoryLedgerStore, publisher: InMemoryEventPublisher, clock: FixedClock) -> Wallet:
    for player_id in (PLAYER, OTHER_PLAYER):
        ledger.save_protection(PlayerProtection(player_id, kyc=KycStatus.VERIFIED, version=1))
    protection = ProtectionService(
        ledger,
        publisher,
        clock,
        "{{ cookiecutter.package_name }}.responsible_gaming",
    )
    return Wallet(ledger, clock, SOURCE, protection=protection)
