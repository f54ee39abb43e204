"""Who pays the promotions worker's bonuses, on every cloud; apart from workers/bonus_wallet.py, which
the leaderboards worker shares, so that worker's archive carries no promotions code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .bonus_wallet import DeferredOperatorWallet, DeferredWallet

if TYPE_CHECKING:
    from ..domain.operator_wallet import OperatorBonusWallet
    from ..domain.promotions import BonusWallet
    from ..domain.wallet import IdScope, LedgerEntry
    from ..ports import Clock, EventPublisher
    from ..ports.wallet import LedgerStore


class DeferredLedger:
    """The hosted wallet's ledger, built on its first use.

    The worker reads it on a settled bet (the stake that pays down wagering) and pays into it on a
    grant; deposits and bets only count towards promotions. Building it imports the wallet's domain
    and its adapter, which a cold start then does not load (tests/test_aws_cold_start.py).
    """

    def __init__(self, build: Callable[[], LedgerStore]) -> None:
        self._build = build
        self._store: LedgerStore | None = None

    def store(self) -> LedgerStore:
        if self._store is None:
            self._store = self._build()
        return self._store

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        # Typed here: a project without the hosted wallet (hybrid mode) has no LedgerStore to check.
        entry: LedgerEntry | None = self.store().entry(player_id, scope, transaction_id)
        return entry


def promotion_bonuses(
    ledger: DeferredLedger | None,
    publisher: EventPublisher,
    clock: Clock,
    source: str,
    operator_wallet: Callable[[], OperatorBonusWallet],
) -> BonusWallet:
    """Who pays promotion bonuses: the hosted wallet on `ledger`, else (hybrid mode) the operator's."""
    if ledger is None:
        return DeferredOperatorWallet(operator_wallet)
    from ..domain.promotions import HostedBonusWallet

    return HostedBonusWallet(DeferredWallet(ledger.store, publisher, clock, source))
