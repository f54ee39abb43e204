"""The wallet the promotions and leaderboards workers pay bonuses with on AWS (workers/bonus_wallet.py):
the hosted wallet's DynamoDB ledger, or in hybrid mode the operator's wallet, keyed from SSM."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..workers import bonus_wallet
from ..workers.bonus_wallet import DeferredOperatorWallet as DeferredOperatorWallet
from ..workers.bonus_wallet import DeferredWallet as DeferredWallet

if TYPE_CHECKING:
    from ..adapters.dynamodb_wallet import DynamoLedgerStore
    from ..domain.operator_wallet import OperatorBonusWallet
    from ..ports import Clock, EventPublisher
    from ..ports.leaderboards import BonusGranter


def operator_bonus_wallet() -> OperatorBonusWallet:
    """Hybrid mode: the operator's wallet, signed with the stack's key (handlers/operator_wallet.py)."""
    from .operator_wallet import operator_bonus_wallet as signed_with_parameter_store

    return signed_with_parameter_store()


def mission_rewards(
    ledger: Callable[[], DynamoLedgerStore], publisher: EventPublisher, clock: Clock, source: str
) -> BonusGranter:
    """Who pays mission rewards on AWS: the hosted wallet's ledger, or in hybrid mode the operator's."""
    return bonus_wallet.mission_rewards(ledger, publisher, clock, source, operator_bonus_wallet)
