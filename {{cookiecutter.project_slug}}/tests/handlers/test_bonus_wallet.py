"""The wallet the promotions and leaderboards workers pay bonuses with: built on the first bonus, once."""

from __future__ import annotations

from datetime import UTC, datetime

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.handlers.bonus_wallet import DeferredWallet

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
