"""Who pays the promotions worker's bonuses; apart from handlers/bonus_wallet.py, which the leaderboards
worker shares, so that worker's zip carries no promotions code (each zip holds what its imports reach)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .bonus_wallet import DeferredOperatorWallet, DeferredWallet

if TYPE_CHECKING:
    from ..adapters.dynamodb_wallet import DynamoLedgerStore
    from ..domain.promotions import BonusWallet
    from ..ports import Clock, EventPublisher


def promotion_bonuses(
    ledger: DynamoLedgerStore | None, publisher: EventPublisher, clock: Clock, source: str
) -> BonusWallet:
    """Who pays promotion bonuses: the hosted wallet on `ledger`, else (hybrid mode) the operator's."""
    if ledger is None:
        return DeferredOperatorWallet()
    from ..domain.promotions import HostedBonusWallet

    return HostedBonusWallet(DeferredWallet(lambda: ledger, publisher, clock, source))
