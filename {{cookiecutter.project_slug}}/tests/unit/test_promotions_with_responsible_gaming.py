"""Promotions with player protection: bonuses are marketing, none for a player who is excluded."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from tests.unit import test_promotions as promotion_tests
from tests.unit.test_promotions import (
    PLAYER,
    TOURNAMENT,
    WALLET_SOURCE,
    WELCOME,
    balance,
    eur,
    events,
    service_with,
)

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_promotions import InMemoryPromotionStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.compliance import LIMITS_POLICY
from {{ cookiecutter.package_name }}.domain.promotions import PromotionService
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.domain.responsible_gaming import ProtectionService


# The promotions' store of their own tests, defined there; the ledger is the wallet's fixture
# (tests/api/fixtures_wallet.py: player protection needs the wallet, so it is always there).
store = promotion_tests.store


# Bonuses are marketing: none for a player who is self-excluded or cooling off.


def protected_promotions(
    store: InMemoryPromotionStore,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> tuple[PromotionService, ProtectionService, Wallet]:
    """The promotions on a wallet with protection, as deployed; PLAYER is verified and holds 20.00 EUR."""
    # Imported here: this file stays in a project without player protection (uncollected there).
    from {{ cookiecutter.package_name }}.domain.responsible_gaming import (
        KycStatus,
        ProtectionService,
    )

    protection = ProtectionService(
        ledger,
        publisher,
        clock,
        "{{ cookiecutter.package_name }}.responsible_gaming",
    )
    wallet = Wallet(ledger, clock, WALLET_SOURCE, protection=protection)
    protection.set_kyc_status(PLAYER, KycStatus.VERIFIED, correlation_id="kyc")
    wallet.deposit(PLAYER, "dep-1", eur(2_000), correlation_id="deposit-1")
    promotions = service_with([WELCOME, TOURNAMENT], store, wallet, ledger, publisher, clock)
    return promotions, protection, wallet


@pytest.mark.parametrize("how", ["self-excluded", "cooling-off"])
def test_an_excluded_player_is_skipped_and_no_grant_is_recorded(
    store: InMemoryPromotionStore,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
    how: str,
) -> None:
    promotions, protection, wallet = protected_promotions(store, ledger, publisher, clock)
    if how == "self-excluded":
        protection.self_exclude(PLAYER, LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")
    else:
        protection.cool_off(PLAYER, LIMITS_POLICY.cool_off_hours, correlation_id="e")

    first_deposit = promotions.on_deposit(PLAYER, "event-dep-1", eur(2_000), clock.now(), correlation_id="d")
    entry = promotions.on_tournament_entered(PLAYER, clock.now(), correlation_id="entry-1")

    assert first_deposit == ["welcome: skipped: player excluded"]
    assert entry == ["tournament: skipped: player excluded"]
    assert store.grants(PLAYER) == []
    assert balance(wallet).bonus == 0
    assert events(publisher, "BonusGranted") == []


def test_a_player_whose_cool_off_ended_is_granted_the_next_bonus(
    store: InMemoryPromotionStore,
    ledger: InMemoryLedgerStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
) -> None:
    promotions, protection, wallet = protected_promotions(store, ledger, publisher, clock)
    protection.cool_off(PLAYER, LIMITS_POLICY.cool_off_hours, correlation_id="e")
    skipped = promotions.on_tournament_entered(PLAYER, clock.now(), correlation_id="entry-1")

    clock.advance(timedelta(hours=LIMITS_POLICY.cool_off_hours))
    granted = promotions.on_tournament_entered(PLAYER, clock.now(), correlation_id="entry-2")

    assert (skipped, granted) == (["tournament: skipped: player excluded"], ["tournament: granted"])
    assert balance(wallet).bonus == TOURNAMENT.bonus
    assert [grant.promotion_id for grant in store.grants(PLAYER)] == ["tournament"]
