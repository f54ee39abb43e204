"""The leaderboards module's ports: scores, missions and tournament entries, and the bonus payer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from ..domain.leaderboards import BoardWindow, MissionProgress, MissionWindow, ScoredPlay
from ..domain.leaderboards_reads import TournamentEntry
from ..domain.money import Money


class LeaderboardStore(Protocol):
    """Board scores, mission progress and tournament entries.

    `record_play` is one atomic, conditional write: every increment of a play is applied together,
    once per event id, so a redelivered event or two workers handling it at once count it once.
    """

    def record_play(self, play: ScoredPlay) -> bool:
        """Add the play's scores and mission steps once per event id; False if already applied."""
        ...

    def score(self, board: BoardWindow, player_id: str) -> int | None:
        """The player's score in the board window, or None if the player has none."""
        ...

    def top(self, board: BoardWindow, limit: int) -> list[tuple[str, int]]:
        """Up to `limit` (player id, score) pairs, highest score first; the order of ties is unspecified."""
        ...

    def players_ahead(self, board: BoardWindow, score: int) -> int:
        """How many players of the board window have a score above `score`."""
        ...

    def progress(
        self, player_id: str, missions: Sequence[MissionWindow]
    ) -> dict[MissionWindow, MissionProgress]:
        """The player's progress in each mission window that has any (others are left out)."""
        ...

    def mark_rewarded(self, player_id: str, mission: MissionWindow) -> bool:
        """Record that the mission window's reward was paid; False if it was already recorded."""
        ...

    def enter(self, entry: TournamentEntry) -> bool:
        """Record the entry unless the player already entered that window (then False, unchanged)."""
        ...

    def entries(self, player_id: str, tournaments: Sequence[BoardWindow]) -> dict[BoardWindow, datetime]:
        """When the player entered each of these tournament windows (windows not entered are left out)."""
        ...


class BonusGranter(Protocol):
    """Pays bonus money idempotently by transaction id (the Wallet): mission rewards."""

    def grant_bonus(
        self, player_id: str, transaction_id: str, money: Money, *, correlation_id: str
    ) -> object:
        """Credit the bonus once; a replayed transaction id pays nothing more."""
        ...
