"""The wallet the promotions and leaderboards workers pay bonuses with: built on the first bonus, once."""

from __future__ import annotations

from datetime import UTC, datetime

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.handlers.bonus_wallet import (
    DeferredOperatorWallet,
    DeferredWallet,
    promotion_bonuses,
)

AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SOURCE = "{{ cookiecutter.package_name }}"


def test_nothing_is_built_until_a_bonus_is_due_and_then_once() -> None:
    ledgers: list[InMemoryLedgerStore] = []
    publisher = InMemoryEventPublisher()

    def ledger() -> InMemoryLedgerStore:
        ledgers.append(InMemoryLedgerStore(relay=publisher))
        return ledgers[-1]

    wallet = DeferredWallet(ledger, publisher, FixedClock(AT), SOURCE)
    assert ledgers == []

    first = wallet.grant_bonus("player-1", "bonus-1", Money.of(500, "EUR"), correlation_id="c-1")
    again = wallet.grant_bonus("player-1", "bonus-1", Money.of(500, "EUR"), correlation_id="c-1")
    balance = wallet.balance("player-1")

    assert len(ledgers) == 1  # one wallet for the container's life
    assert (first.replayed, again.replayed) == (False, True)
    assert balance is not None
    assert balance.bonus == 500
    assert [event.name for event in publisher.events] == ["BonusGranted"]
    assert publisher.events[0].source == f"{SOURCE}.wallet"


def test_promotions_pay_through_the_hosted_wallet_on_its_ledger_in_its_currency_only() -> None:
    publisher = InMemoryEventPublisher()
    ledger = InMemoryLedgerStore(relay=publisher)
    bonuses = promotion_bonuses(ledger, publisher, FixedClock(AT), SOURCE)  # type: ignore[arg-type]
    assert not bonuses.pays_in("player-1", "EUR")  # no wallet yet: a grant would open one

    bonuses.grant_bonus("player-1", "bonus-1", Money.of(500, "EUR"), correlation_id="c-1")

    assert (bonuses.pays_in("player-1", "EUR"), bonuses.pays_in("player-1", "GBP")) == (True, False)
    assert ledger.balance("player-1").bonus == 500  # type: ignore[union-attr]


def test_without_a_hosted_ledger_promotions_pay_through_the_operators_wallet() -> None:
    bonuses = promotion_bonuses(None, InMemoryEventPublisher(), FixedClock(AT), SOURCE)

    assert isinstance(bonuses, DeferredOperatorWallet)
    # The operator's wallet refuses a bonus in another currency itself (CurrencyMismatch).
    assert bonuses.pays_in("player-1", "GBP")
