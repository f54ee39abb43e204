"""In-memory hybrid-mode adapters: the webhook's event log, and an operator's wallet that records credits."""

from __future__ import annotations

import threading
from datetime import datetime

from ..domain.errors import CurrencyMismatch, TransactionConflict
from ..domain.guard import ExcludedFromBonuses
from ..domain.operator_wallet import BonusCredit, Claim


class InMemoryPlatformEventLog:
    """Event ids with their digests and whether they reached the bus."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, bool]] = {}
        self._lock = threading.Lock()

    def claim(self, event_id: str, digest: str, at: datetime) -> Claim:
        with self._lock:
            found = self._seen.get(event_id)
            if found is None:
                self._seen[event_id] = (digest, False)
                return Claim.NEW
            seen_digest, published = found
            if seen_digest != digest:
                return Claim.CONFLICT
            return Claim.PUBLISHED if published else Claim.PENDING

    def mark_published(self, event_id: str) -> None:
        with self._lock:
            digest, _ = self._seen[event_id]
            self._seen[event_id] = (digest, True)


class InMemoryOperatorWallet:
    """An operator's wallet that records each credit once per transaction id (unit and API tests).

    It refuses as the HTTP adapter maps the operator's answers: an excluded player, a bonus in another
    currency than its players' wallets (`currency`; None: any), a transaction id used with another bonus.
    """

    def __init__(self, excluded: frozenset[str] = frozenset(), currency: str | None = None) -> None:
        self.credits: dict[str, BonusCredit] = {}
        self._excluded = excluded
        self._currency = currency

    def credit_bonus(self, credit: BonusCredit) -> None:
        if credit.player_id in self._excluded:
            raise ExcludedFromBonuses("the operator refused the bonus: the player is excluded")
        if self._currency is not None and credit.money.currency != self._currency:
            raise CurrencyMismatch("the player's wallet is in another currency", field="currency")
        earlier = self.credits.setdefault(credit.transaction_id, credit)
        if earlier != credit:
            raise TransactionConflict(
                "the transaction id was used with another bonus", field="transaction_id"
            )
