"""In-memory PromotionStore: the DynamoDB adapter's semantics behind one lock, for tests and local runs."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from ..domain.promotions import BonusGrant, CountedStake, WageringContention, WageringProgress


class InMemoryPromotionStore:
    """Grants, first-deposit claims, daily bet counts and counted stakes, each change atomic."""

    def __init__(self) -> None:
        self._grants: dict[tuple[str, str], BonusGrant] = {}
        self._first_deposits: dict[str, str] = {}
        self._bet_counts: dict[tuple[str, str, str], int] = {}
        self._counted_bets: set[tuple[str, str, str]] = set()
        self._stakes: dict[tuple[str, str], CountedStake] = {}
        self._lock = threading.Lock()

    def grant(self, player_id: str, promotion_id: str) -> BonusGrant | None:
        with self._lock:
            return self._grants.get((player_id, promotion_id))

    def grants(self, player_id: str) -> list[BonusGrant]:
        with self._lock:
            return [grant for (player, _), grant in self._grants.items() if player == player_id]

    def record_grant(self, grant: BonusGrant) -> bool:
        with self._lock:
            key = (grant.player_id, grant.promotion_id)
            if key in self._grants:
                return False
            self._grants[key] = grant
            return True

    def claim_first_deposit(self, player_id: str, event_id: str) -> bool:
        with self._lock:
            return self._first_deposits.setdefault(player_id, event_id) == event_id

    def count_bet(self, player_id: str, promotion_id: str, day: str, event_id: str) -> int:
        with self._lock:
            day_key = (player_id, promotion_id, day)
            if (player_id, promotion_id, event_id) not in self._counted_bets:
                self._counted_bets.add((player_id, promotion_id, event_id))
                self._bet_counts[day_key] = self._bet_counts.get(day_key, 0) + 1
            return self._bet_counts.get(day_key, 0)

    def count_stake(
        self, player_id: str, stake: CountedStake, progress: Sequence[WageringProgress], at: datetime
    ) -> CountedStake:
        with self._lock:
            earlier = self._stakes.get((player_id, stake.bet_transaction_id))
            if earlier is not None:
                return earlier
            for step in progress:
                grant = self._grants.get((player_id, step.promotion_id))
                if grant is None or grant.completed or grant.wagered != step.before:
                    raise WageringContention(f"the wagering of {step.promotion_id} moved")
            for step in progress:
                grant = self._grants[(player_id, step.promotion_id)]
                self._grants[(player_id, step.promotion_id)] = replace(
                    grant, wagered=step.after, completed_at=at if step.completes else None
                )
            self._stakes[(player_id, stake.bet_transaction_id)] = stake
            return stake

    def counted_stake(self, player_id: str, bet_transaction_id: str) -> CountedStake | None:
        with self._lock:
            return self._stakes.get((player_id, bet_transaction_id))
