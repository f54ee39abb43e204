"""Who pays the promotions worker's bonuses on AWS (workers/promotion_bonuses.py); apart from
handlers/bonus_wallet.py, which the leaderboards worker shares, so that worker's zip carries no promotions
code (each zip holds what its imports reach)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..workers import promotion_bonuses as bonuses
from ..workers.promotion_bonuses import DeferredLedger as DeferredLedger
from .bonus_wallet import operator_bonus_wallet

if TYPE_CHECKING:
    from ..domain.promotions import BonusWallet
    from ..ports import Clock, EventPublisher


def promotion_bonuses(
    ledger: DeferredLedger | None, publisher: EventPublisher, clock: Clock, source: str
) -> BonusWallet:
    """Who pays promotion bonuses: the hosted wallet on `ledger`, else (hybrid mode) the operator's."""
    return bonuses.promotion_bonuses(ledger, publisher, clock, source, operator_bonus_wallet)
