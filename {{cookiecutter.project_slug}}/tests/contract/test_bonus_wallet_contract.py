"""One suite for every wallet that pays the modules' bonuses: the hosted wallet and the operator's.

The promotions and leaderboards workers pay bonuses through one port (`grant_bonus`): the hosted
wallet (its in-memory ledger, and the chosen cloud's ledger store on its emulator), or in the hybrid mode the
operator's own wallet (its in-memory stand-in, and the HTTP adapter against the local fake of the
operator's platform, a real server these tests start). Each must behave the same for the operations
the operator's wallet serves: a bonus is paid once per transaction id, a replay pays nothing more, an id
used with another bonus, a bonus in another currency than the player's wallet and a bonus to an
excluded player are refused with the same errors, and nothing is paid for a refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.support.real_stores import supplied_fixtures

from {{ cookiecutter.package_name }} import registry
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.domain.errors import CurrencyMismatch, TransactionConflict
from {{ cookiecutter.package_name }}.domain.guard import ExcludedFromBonuses
from {{ cookiecutter.package_name }}.domain.money import Money

PLAYER = "player-1"
EXCLUDED = "player-excluded"
CURRENCY = "EUR"
KEY = "whsec-bonus-contract-test"  # pragma: allowlist secret (a test key)


class BonusPort:
    """What the suite needs of one adapter: its bonus port, what a player was paid, a wallet to open."""

    def grant_bonus(self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str) -> Any:
        raise NotImplementedError

    def paid(self, player_id: str) -> int:
        """Bonus money the player was paid (minor units)."""
        raise NotImplementedError


@dataclass
class HostedWallet(BonusPort):
    """The hosted wallet: its player's wallet is opened by a deposit; a refusal comes from its guard."""

    wallet: Any
    opened: set[str] = field(default_factory=set)

    def grant_bonus(self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str) -> Any:
        if player_id not in self.opened:
            # A wallet in the house currency first: the contract's currency refusal is against it.
            self.wallet.deposit(player_id, f"open-{player_id}", Money(1, CURRENCY), correlation_id="open")
            self.opened.add(player_id)
        return self.wallet.grant_bonus(player_id, transaction_id, money, correlation_id=correlation_id)

    def paid(self, player_id: str) -> int:
        balance = self.wallet.balance(player_id)
        return 0 if balance is None else int(balance.bonus)


@dataclass
class OperatorWallet(BonusPort):
    """The operator's wallet through the hybrid mode's bonus port; `credits` reads back what it recorded."""

    bonuses: Any
    credits: Callable[[], list[dict[str, Any]]]

    def grant_bonus(self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str) -> Any:
        return self.bonuses.grant_bonus(player_id, transaction_id, money, correlation_id=correlation_id)

    def paid(self, player_id: str) -> int:
        return sum(int(credit["amount"]) for credit in self.credits() if credit["player_id"] == player_id)


def excluding_guards() -> Any:
    """The wallet's guard port refusing bonuses to EXCLUDED, as player protection's does."""
    from {{ cookiecutter.package_name }}.domain.guard import (
        PlayerProtection,
        TransactionGuard,
        Unprotected,
    )

    class ExcludingGuards(Unprotected):
        def guard_bonus(
            self, player_id: str, *, protection: PlayerProtection | None = None
        ) -> TransactionGuard:
            if player_id == EXCLUDED:
                raise ExcludedFromBonuses("the player is self-excluded")
            return super().guard_bonus(player_id, protection=protection)

    return ExcludingGuards()


def hosted_wallet(ledger: Any) -> HostedWallet:
    from {{ cookiecutter.package_name }}.domain.wallet import Wallet

    clock = FixedClock(datetime(2030, 1, 1, 12, 0, tzinfo=UTC))
    source = "{{ cookiecutter.package_name }}.wallet"
    return HostedWallet(Wallet(ledger, clock, source, protection=excluding_guards()))


def memory_hosted(request: pytest.FixtureRequest) -> Iterator[BonusPort]:
    from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore

    yield hosted_wallet(InMemoryLedgerStore())


def cloud_hosted(request: pytest.FixtureRequest) -> Iterator[BonusPort]:
    """The hosted wallet on the chosen cloud's ledger store (`real_ledger_store`, its fixtures')."""
    yield hosted_wallet(request.getfixturevalue("real_ledger_store"))


def memory_operator(request: pytest.FixtureRequest) -> Iterator[BonusPort]:
    from {{ cookiecutter.package_name }}.adapters.memory_operator_wallet import (
        InMemoryOperatorWallet,
    )
    from {{ cookiecutter.package_name }}.domain.operator_wallet import OperatorBonusWallet

    wallet = InMemoryOperatorWallet(excluded=frozenset({EXCLUDED}), currency=CURRENCY)
    yield OperatorWallet(
        OperatorBonusWallet(wallet), lambda: [credit.as_json() for credit in wallet.credits.values()]
    )


def fake_platform() -> Any:
    """The local fake of the operator's platform (its module exists in the hybrid mode only)."""
    from tools.operator_platform import FakeOperatorPlatform

    return FakeOperatorPlatform(KEY, excluded=frozenset({EXCLUDED}), currency=CURRENCY)


def fake_platform_operator(request: pytest.FixtureRequest) -> Iterator[BonusPort]:
    from {{ cookiecutter.package_name }}.adapters.operator_platform import OperatorPlatformClient
    from {{ cookiecutter.package_name }}.domain.operator_wallet import OperatorBonusWallet

    platform = fake_platform()
    platform.start()
    try:
        client = OperatorPlatformClient(platform.url, lambda: KEY, sleep=lambda _: None)
        yield OperatorWallet(OperatorBonusWallet(client), lambda: list(platform.credits.values()))
    finally:
        platform.stop()


def adapters() -> list[Any]:
    """The bonus ports this project has: the hosted wallet's, and the operator's in the hybrid mode."""
    found = []
    # The hosted wallet's in-memory ledger is here with the wallet, and kept for the tests in hybrid mode.
    if registry.enabled("wallet") or "adapters.memory_wallet" in registry.TEST_DOUBLES:
        found.append(pytest.param(memory_hosted, id="hosted-wallet-memory"))
    if registry.enabled("wallet") and "real_ledger_store" in supplied_fixtures():
        found.append(pytest.param(cloud_hosted, id="hosted-wallet-cloud", marks=pytest.mark.integration))
    if registry.enabled("operator_wallet"):
        found.append(pytest.param(memory_operator, id="operator-wallet-memory"))
        found.append(pytest.param(fake_platform_operator, id="operator-wallet-fake-platform"))
    return found


@pytest.fixture(params=adapters())
def bonuses(request: pytest.FixtureRequest) -> Iterator[BonusPort]:
    yield from request.param(request)


def grant(
    bonuses: BonusPort, transaction_id: str, amount: int, *, player: str = PLAYER, currency: str = CURRENCY
) -> Any:
    return bonuses.grant_bonus(player, transaction_id, Money(amount, currency), correlation_id="c-1")


def test_a_bonus_is_paid_with_its_amount_and_currency(bonuses: BonusPort) -> None:
    receipt = grant(bonuses, "bonus-1", 500)

    assert (receipt.amount, receipt.currency) == (500, CURRENCY)
    assert bonuses.paid(PLAYER) == 500


def test_a_replayed_bonus_pays_nothing_more(bonuses: BonusPort) -> None:
    grant(bonuses, "bonus-1", 500)

    again = grant(bonuses, "bonus-1", 500)

    assert (again.amount, again.currency) == (500, CURRENCY)
    assert bonuses.paid(PLAYER) == 500


def test_bonuses_under_distinct_ids_add_up(bonuses: BonusPort) -> None:
    grant(bonuses, "bonus-1", 500)
    grant(bonuses, "bonus-2", 250)

    assert bonuses.paid(PLAYER) == 750


def test_an_id_used_for_another_bonus_is_refused_and_pays_nothing(bonuses: BonusPort) -> None:
    grant(bonuses, "bonus-1", 500)

    with pytest.raises(TransactionConflict):
        grant(bonuses, "bonus-1", 900)

    assert bonuses.paid(PLAYER) == 500


def test_a_bonus_in_another_currency_than_the_players_wallet_is_refused(bonuses: BonusPort) -> None:
    grant(bonuses, "bonus-1", 500)

    with pytest.raises(CurrencyMismatch):
        grant(bonuses, "bonus-2", 500, currency="GBP")

    assert bonuses.paid(PLAYER) == 500


def test_an_excluded_player_is_refused_and_paid_nothing(bonuses: BonusPort) -> None:
    with pytest.raises(ExcludedFromBonuses):
        grant(bonuses, "bonus-1", 500, player=EXCLUDED)

    assert bonuses.paid(EXCLUDED) == 0
