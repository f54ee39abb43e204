"""Who pays the promotions worker's bonuses; apart from handlers/bonus_wallet.py, which the leaderboards
worker shares, so that worker's zip carries no promotions code (each zip holds what its imports reach)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .bonus_wallet import DeferredOperatorWallet, DeferredWallet

if TYPE_CHECKING:
    from ..adapters.dynamodb_wallet import DynamoLedgerStore
    from ..domain.promotions import BonusWallet
    from ..domain.wallet import IdScope, LedgerEntry
    from ..ports import Clock, EventPublisher


class DeferredLedger:
    """The hosted wallet's ledger, built on its first use.

    The worker reads it on a settled bet (the stake that pays down wagering) and pays into it on a
    grant; deposits and bets only count towards promotions. Building it imports the wallet's domain
    and its adapter, which a cold start then does not load (tests/test_aws_cold_start.py).
    """

    def __init__(self, build: Callable[[], DynamoLedgerStore]) -> None:
        self._build = build
        self._store: DynamoLedgerStore | None = None

    def store(self) -> DynamoLedgerStore:
        if self._store is None:
            self._store = self._build()
        return self._store

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        # Typed here: a project without the hosted wallet (hybrid mode) has no DynamoLedgerStore to check.
        entry: LedgerEntry | None = self.store().entry(player_id, scope, transaction_id)
        return entry


def promotion_bonuses(
    ledger: DeferredLedger | None, publisher: EventPublisher, clock: Clock, source: str
) -> BonusWallet:
    """Who pays promotion bonuses: the hosted wallet on `ledger`, else (hybrid mode) the operator's."""
    if ledger is None:
        return DeferredOperatorWallet()
    from ..domain.promotions import HostedBonusWallet

    return HostedBonusWallet(DeferredWallet(ledger.store, publisher, clock, source))
