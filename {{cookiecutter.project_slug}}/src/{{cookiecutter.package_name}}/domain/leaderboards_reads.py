"""What players read of the leaderboards, and their tournament entries: standings, mission status, entries.

The service of domain/leaderboards.py returns these to the API; the leaderboards worker only scores
plays and never builds one. Kept apart so that the worker's cold start does not define them (each
dataclass compiles its generated methods when it is defined; docs/benchmarks.md): the service imports
this module on the first read or entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from .leaderboards import Leaderboard, Mission, Window


@dataclass(frozen=True, slots=True)
class TournamentEntry:
    """A player's entry into one window of a tournament."""

    tournament_id: str
    window: str
    player_id: str
    entered_at: datetime


@dataclass(frozen=True, slots=True)
class Standing:
    """A player's place on a board. Equal scores share a rank: the rank is 1 + the players scoring more."""

    player_id: str
    score: int
    rank: int


@dataclass(frozen=True, slots=True)
class BoardStandings:
    """The top of one board's current window."""

    board: Leaderboard
    window: Window
    standings: list[Standing]


@dataclass(frozen=True, slots=True)
class PlayerStanding:
    """One player's score and rank in a board's current window (None and None: not on the board)."""

    board: Leaderboard
    window: Window
    score: int | None
    rank: int | None


@dataclass(frozen=True, slots=True)
class MissionStatus:
    """A mission's current window and the player's progress in it."""

    mission: Mission
    window: Window
    progress: int
    rewarded: bool

    @property
    def completed(self) -> bool:
        return self.progress >= self.mission.target
