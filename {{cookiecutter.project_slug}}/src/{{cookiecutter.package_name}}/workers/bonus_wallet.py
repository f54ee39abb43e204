"""The wallet the promotions and leaderboards workers pay bonuses with, built on the first bonus.

Shared by every cloud: its composition (handlers/ on AWS, gcp/ on GCP) hands over how its ledger and,
in hybrid mode, the operator's wallet are built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from .. import registry

if TYPE_CHECKING:
    from ..domain.money import Money
    from ..domain.operator_wallet import BonusCredit, OperatorBonusWallet
    from ..domain.wallet import Balance, Wallet, WalletReceipt
    from ..ports import Clock, EventPublisher
    from ..ports.leaderboards import BonusGranter
    from ..ports.responsible_gaming import ProtectionStore
    from ..ports.wallet import LedgerStore, TransactionGuards


class DeferredWallet:
    """The wallet a worker pays bonuses with, built on its first use.

    Building it imports the wallet's and the players' protection domain and their adapters; a worker
    whose batches mostly score or count (no bonus due) then does not load them at its cold start.
    Bonuses are marketing: with the players' protection the wallet refuses a grant to an excluded
    player inside the grant's own transaction (protection is kept in the wallet's ledger store).
    """

    def __init__(
        self, ledger: Callable[[], LedgerStore], publisher: EventPublisher, clock: Clock, source: str
    ) -> None:
        self._ledger = ledger
        self._publisher = publisher
        self._clock = clock
        self._source = source  # the stack's event source prefix
        self._wallet: Wallet | None = None

    def wallet(self) -> Wallet:
        if self._wallet is None:
            from ..domain.wallet import Wallet

            ledger, clock, source = self._ledger(), self._clock, self._source
            self._wallet = Wallet(ledger, clock, f"{source}.wallet", protection=self._protection(ledger))
        return self._wallet

    def _protection(self, ledger: LedgerStore) -> TransactionGuards | None:
        """Player protection's guards when the project has that module; None: the wallet's default, none.

        Only player protection supplies the wallet's guard port, so the registry is asked here: a listing
        of guard suppliers would hold one name. Each cloud's ledger store is its protection store too.
        """
        if not registry.enabled("responsible_gaming"):
            return None
        from ..domain.responsible_gaming import ProtectionService

        protection: TransactionGuards = ProtectionService(
            cast("ProtectionStore", ledger),
            self._publisher,
            self._clock,
            f"{self._source}.responsible_gaming",
        )
        return protection

    def balance(self, player_id: str) -> Balance | None:
        return self.wallet().balance(player_id)

    def grant_bonus(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> WalletReceipt:
        return self.wallet().grant_bonus(player_id, transaction_id, money, correlation_id=correlation_id)


class DeferredOperatorWallet:
    """Hybrid mode: bonuses credited by the operator's own wallet (module operator_wallet), built on use
    by `build` (the cloud's: it reads the stack's signing key where that cloud keeps it)."""

    def __init__(self, build: Callable[[], OperatorBonusWallet]) -> None:
        self._build = build
        self._granter: OperatorBonusWallet | None = None

    def pays_in(self, player_id: str, currency: str) -> bool:
        """Yes: the operator's wallet refuses a bonus in another currency itself (CurrencyMismatch)."""
        return True

    def grant_bonus(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> BonusCredit:
        if self._granter is None:
            self._granter = self._build()
        return self._granter.grant_bonus(player_id, transaction_id, money, correlation_id=correlation_id)


def mission_rewards(
    ledger: Callable[[], LedgerStore],
    publisher: EventPublisher,
    clock: Clock,
    source: str,
    operator_wallet: Callable[[], OperatorBonusWallet],
) -> BonusGranter:
    """Who pays mission rewards: the hosted wallet on `ledger`, or in hybrid mode the operator's.

    The project has one or the other (manifest.yaml: operator_wallet excludes wallet), so the registry
    is asked here, once, where the worker is composed.
    """
    if registry.enabled("operator_wallet"):
        return DeferredOperatorWallet(operator_wallet)
    return DeferredWallet(ledger, publisher, clock, source)
