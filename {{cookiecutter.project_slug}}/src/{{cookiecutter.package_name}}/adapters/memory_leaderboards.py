"""In-memory LeaderboardStore: the DynamoDB adapter's semantics behind one lock, for tests and local runs."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ..domain.leaderboards import BoardWindow, MissionProgress, MissionWindow, ScoredPlay

if TYPE_CHECKING:
    from ..domain.leaderboards_reads import TournamentEntry


class InMemoryLeaderboardStore:
    """Scores, mission progress, tournament entries and the event ids already applied."""

    def __init__(self) -> None:
        self._scores: dict[BoardWindow, dict[str, int]] = {}
        self._progress: dict[tuple[str, MissionWindow], MissionProgress] = {}
        self._entries: dict[tuple[str, BoardWindow], datetime] = {}
        self._applied: set[str] = set()
        self._lock = threading.Lock()

    def record_play(self, play: ScoredPlay) -> bool:
        with self._lock:
            if play.event_id in self._applied:
                return False
            self._applied.add(play.event_id)
            for board, points in play.scores.items():
                players = self._scores.setdefault(board, {})
                players[play.player_id] = players.get(play.player_id, 0) + points
            for mission, steps in play.progress.items():
                key = (play.player_id, mission)
                current = self._progress.get(key, MissionProgress())
                self._progress[key] = MissionProgress(current.progress + steps, current.rewarded)
            return True

    def score(self, board: BoardWindow, player_id: str) -> int | None:
        with self._lock:
            return self._scores.get(board, {}).get(player_id)

    def top(self, board: BoardWindow, limit: int) -> list[tuple[str, int]]:
        with self._lock:
            players = list(self._scores.get(board, {}).items())
        return sorted(players, key=lambda player: (-player[1], player[0]))[:limit]

    def players_ahead(self, board: BoardWindow, score: int) -> int:
        with self._lock:
            return sum(1 for points in self._scores.get(board, {}).values() if points > score)

    def progress(
        self, player_id: str, missions: Sequence[MissionWindow]
    ) -> dict[MissionWindow, MissionProgress]:
        with self._lock:
            return {
                mission: self._progress[(player_id, mission)]
                for mission in missions
                if (player_id, mission) in self._progress
            }

    def mark_rewarded(self, player_id: str, mission: MissionWindow) -> bool:
        with self._lock:
            current = self._progress.get((player_id, mission), MissionProgress())
            if current.rewarded:
                return False
            self._progress[(player_id, mission)] = MissionProgress(current.progress, rewarded=True)
            return True

    def enter(self, entry: TournamentEntry) -> bool:
        key = (entry.player_id, BoardWindow(entry.tournament_id, entry.window))
        with self._lock:
            if key in self._entries:
                return False
            self._entries[key] = entry.entered_at
            return True

    def entries(self, player_id: str, tournaments: Sequence[BoardWindow]) -> dict[BoardWindow, datetime]:
        with self._lock:
            return {
                board: self._entries[(player_id, board)]
                for board in tournaments
                if (player_id, board) in self._entries
            }
