"""The promotions module's ports: grants, trigger counts and wagering, and the ledger entries they read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from ..domain.promotions import BonusGrant, CountedStake, WageringProgress
from ..domain.wallet import IdScope, LedgerEntry


class LedgerReader(Protocol):
    """Reads one ledger entry (a LedgerStore is one): promotions look up the stake of a settled bet."""

    def entry(self, player_id: str, scope: IdScope, transaction_id: str) -> LedgerEntry | None:
        """The player's ledger entry with this id in this scope, or None."""
        ...


class PromotionStore(Protocol):
    """Promotion grants, the counts behind their triggers, and wagering, all idempotent per event.

    Every method that writes is one atomic, conditional operation, so a redelivered event or two
    workers handling events of one player at once never count anything twice.
    """

    def grant(self, player_id: str, promotion_id: str) -> BonusGrant | None:
        """The player's grant of this promotion, or None."""
        ...

    def grants(self, player_id: str) -> list[BonusGrant]:
        """Every grant of the player (any order)."""
        ...

    def record_grant(self, grant: BonusGrant) -> bool:
        """Record a grant unless the player already has one of this promotion (then False, unchanged)."""
        ...

    def claim_first_deposit(self, player_id: str, event_id: str) -> bool:
        """True if `event_id` is the player's first deposit seen: newly claimed, or claimed by it before."""
        ...

    def count_bet(self, player_id: str, promotion_id: str, day: str, event_id: str) -> int:
        """Count the bet toward the promotion's count of `day` (a UTC date, 2030-01-31) once per event id.

        Returns the day's count after it, also when the event was counted before.
        """
        ...

    def count_stake(
        self, player_id: str, stake: CountedStake, progress: Sequence[WageringProgress], at: datetime
    ) -> CountedStake:
        """Move the grants' wagering by `progress` and remember the stake, atomically, once per bet.

        Returns `stake` when it was counted now, or the stake counted earlier for the same bet (then
        nothing moves). Raises WageringContention if a grant's wagering is no longer `before`; a
        grant that `progress` completes is marked complete at `at`.
        """
        ...

    def counted_stake(self, player_id: str, bet_transaction_id: str) -> CountedStake | None:
        """The stake counted for this bet, or None."""
        ...
