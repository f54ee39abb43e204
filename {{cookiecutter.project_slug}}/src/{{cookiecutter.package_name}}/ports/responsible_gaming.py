"""The responsible gaming module's port: players' protection records and period counters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..domain.guard import PlayerProtection
from ..domain.wallet import Balance


class ProtectionStore(Protocol):
    """Players' protection (KYC, limits, exclusions) and period counters, next to their wallet.

    The wallet's LedgerStore enforces the same records inside its transactions (its guards), so one
    adapter implements both ports over one table.
    """

    def balance(self, player_id: str) -> Balance | None:
        """The player's wallet balance (limits are set in its currency), or None."""
        ...

    def protection(self, player_id: str) -> PlayerProtection | None:
        """The player's stored protection, or None if nothing was ever stored."""
        ...

    def save_protection(self, protection: PlayerProtection) -> None:
        """Store `protection` only if the stored one is at `protection.version - 1` (absent for 1).

        Raises ProtectionCheckFailed otherwise: another change came first (read again, decide again).
        """
        ...

    def period_totals(self, player_id: str, counter_ids: Sequence[str]) -> dict[str, int]:
        """The running totals of these counters (see domain.guard.counter_id); absent ones left out."""
        ...
