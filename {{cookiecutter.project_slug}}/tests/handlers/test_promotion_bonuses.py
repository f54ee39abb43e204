"""Who pays the promotions worker's bonuses: the hosted wallet on its ledger, else the operator's."""

from __future__ import annotations

from datetime import UTC, datetime

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import IdScope
from {{ cookiecutter.package_name }}.handlers.bonus_wallet import DeferredOperatorWallet
from {{ cookiecutter.package_name }}.handlers.promotion_bonuses import (
    DeferredLedger,
    promotion_bonuses,
)

AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SOURCE = "{{ cookiecutter.package_name }}"


def test_promotions_pay_through_the_hosted_wallet_on_its_ledger_in_its_currency_only() -> None:
    publisher = InMemoryEventPublisher()
    ledger = InMemoryLedgerStore(relay=publisher)
    bonuses = promotion_bonuses(DeferredLedger(lambda: ledger), publisher, FixedClock(AT), SOURCE)  # type: ignore[arg-type, return-value]
    assert not bonuses.pays_in("player-1", "EUR")  # no wallet yet: a grant would open one

    bonuses.grant_bonus("player-1", "bonus-1", Money.of(500, "EUR"), correlation_id="c-1")

    assert (bonuses.pays_in("player-1", "EUR"), bonuses.pays_in("player-1", "GBP")) == (True, False)
    assert ledger.balance("player-1").bonus == 500  # type: ignore[union-attr]


def test_without_a_hosted_ledger_promotions_pay_through_the_operators_wallet() -> None:
    bonuses = promotion_bonuses(None, InMemoryEventPublisher(), FixedClock(AT), SOURCE)

    assert isinstance(bonuses, DeferredOperatorWallet)
    # The operator's wallet refuses a bonus in another currency itself (CurrencyMismatch).
    assert bonuses.pays_in("player-1", "GBP")


def test_the_hosted_ledger_is_built_on_its_first_read_and_once() -> None:
    publisher = InMemoryEventPublisher()
    stores: list[InMemoryLedgerStore] = []

    def build() -> InMemoryLedgerStore:
        stores.append(InMemoryLedgerStore(relay=publisher))
        return stores[-1]

    ledger = DeferredLedger(build)  # type: ignore[arg-type]
    promotion_bonuses(ledger, publisher, FixedClock(AT), SOURCE).grant_bonus(
        "player-1", "bonus-1", Money.of(500, "EUR"), correlation_id="c-1"
    )
    assert len(stores) == 1  # built by the grant
    grant = ledger.entry("player-1", IdScope.SYSTEM, "bonus-1")

    assert len(stores) == 1
    assert grant is not None
    assert grant.amount == 500
