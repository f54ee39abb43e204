"""In-memory hybrid-mode adapters: the webhook's event log, and an operator's wallet that records credits."""

from __future__ import annotations

import threading
from datetime import datetime

from ..domain.guard import ExcludedFromBonuses
from ..domain.operator_wallet import BonusCredit, Claim, OperatorRefused


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
    """An operator's wallet that records each credit once per transaction id (unit and API tests)."""

    def __init__(self, excluded: frozenset[str] = frozenset()) -> None:
        self.credits: dict[str, BonusCredit] = {}
        self._excluded = excluded

    def credit_bonus(self, credit: BonusCredit) -> None:
        if credit.player_id in self._excluded:
            raise ExcludedFromBonuses("the operator refused the bonus: the player is excluded")
        earlier = self.credits.setdefault(credit.transaction_id, credit)
        if earlier != credit:
            raise OperatorRefused("the transaction id was used with another bonus", field="transaction_id")
