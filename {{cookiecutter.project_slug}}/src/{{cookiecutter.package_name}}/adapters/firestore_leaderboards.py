"""The leaderboards' Firestore store (the casino's named database): scores, missions and entries.

Document layout:
- score            leaderboards/<board_id>#<window>/scores/<player_id>  score (the board window's
                   ranking is a query of its own small collection, by the automatic index on score)
- mission progress leaderboard_players/<player_id>/missions/<mission_id>#<window>  progress
- mission reward   leaderboard_players/<player_id>/rewards/<mission_id>#<window>  rewarded_at
- tournament entry leaderboard_players/<player_id>/entries/<tournament_id>#<window>  entered_at
- applied event    leaderboard_events/<event_id>  expires_at (a timestamp: the database's TTL policy on it
                   deletes the marker, infra/modules/leaderboards)

Requests per operation (tests/gcp/test_firestore_leaderboards.py counts them):
- record_play    ONE commit: create the event's marker (only if absent) and add every score and mission
                 step (server-side increments), all or nothing: a replay fails whole and adds nothing.
- score          one read.
- top            one query of the board window's scores, highest first, `limit` of them.
- players_ahead  one count aggregation of the scores above the player's (the server counts; no
                 documents are sent).
- progress       one BatchGetDocuments of the windows' progress and reward documents.
- mark_rewarded  ONE commit creating the reward document only if absent: a reward is recorded once.
- enter          ONE commit creating the entry only if absent: the first entry stays.
- entries        one BatchGetDocuments of the windows' entries.

The reward is a document of its own, not a field of the progress, so recording it needs no read: a
field could only be set once by a read and a commit conditioned on the update time, which every play
of the mission changes. No read-write transactions: the database runs in pessimistic concurrency mode
(infra/main.tf), where a transaction's reads lock their documents; a commit conditioned on "absent"
reads nothing, locks nothing, and a loser fails at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from ..domain.leaderboards import BoardWindow, MissionProgress, MissionWindow, ScoredPlay
from .document_records import timestamp

if TYPE_CHECKING:
    from ..domain.leaderboards_reads import TournamentEntry

BOARDS = "leaderboards"
PLAYERS = "leaderboard_players"
EVENTS = "leaderboard_events"
# Applied-event markers outlive every copy of the event: a redelivered or replayed event is still
# recognised as applied for this long (the push subscription's retention and its dead-letter topic's).
MARKER_TTL = timedelta(days=15)


class FirestoreLeaderboardStore:
    """Board scores, mission progress and tournament entries in Firestore documents."""

    def __init__(
        self,
        database: str,
        client: Any | None = None,
        *,
        project: str | None = None,
        boards_collection: str = BOARDS,
        players_collection: str = PLAYERS,
        events_collection: str = EVENTS,
    ) -> None:
        self.client = client if client is not None else firestore.Client(project=project, database=database)
        self.boards_collection = boards_collection
        self.players_collection = players_collection
        self.events_collection = events_collection

    def record_play(self, play: ScoredPlay) -> bool:
        batch = self.client.batch()
        # TTL runs on the database's wall clock, so the marker's expiry uses the real time too.
        marker = self.client.document(f"{self.events_collection}/{play.event_id}")
        batch.create(marker, {"expires_at": _expiry()})
        for board, points in play.scores.items():
            batch.set(self._score(board, play.player_id), {"score": firestore.Increment(points)}, merge=True)
        for mission, steps in play.progress.items():
            batch.set(
                self._player(play.player_id, "missions", _mission_id(mission)),
                {"progress": firestore.Increment(steps)},
                merge=True,
            )
        try:
            batch.commit()
        except AlreadyExists:
            return False
        return True

    def score(self, board: BoardWindow, player_id: str) -> int | None:
        snapshot = self._score(board, player_id).get()
        return int(snapshot.to_dict()["score"]) if snapshot.exists else None

    def top(self, board: BoardWindow, limit: int) -> list[tuple[str, int]]:
        query = self._scores(board).order_by("score", direction=firestore.Query.DESCENDING).limit(limit)
        return [(snapshot.id, int(snapshot.to_dict()["score"])) for snapshot in query.stream()]

    def players_ahead(self, board: BoardWindow, score: int) -> int:
        counted = self._scores(board).where(filter=FieldFilter("score", ">", score)).count().get()
        return int(counted[0][0].value)

    def progress(
        self, player_id: str, missions: Sequence[MissionWindow]
    ) -> dict[MissionWindow, MissionProgress]:
        if not missions:
            return {}
        by_path: dict[str, tuple[str, MissionWindow]] = {}
        for mission in missions:
            for kind in ("missions", "rewards"):
                by_path[self._player(player_id, kind, _mission_id(mission)).path] = (kind, mission)
        steps: dict[MissionWindow, int] = {}
        rewarded: set[MissionWindow] = set()
        refs = [self.client.document(path) for path in by_path]
        for snapshot in self.client.get_all(refs):
            if not snapshot.exists:
                continue
            kind, mission = by_path[snapshot.reference.path]
            if kind == "missions":
                steps[mission] = int(snapshot.to_dict().get("progress", 0))
            else:
                rewarded.add(mission)
        return {
            mission: MissionProgress(progress=steps.get(mission, 0), rewarded=mission in rewarded)
            for mission in missions
            if mission in steps or mission in rewarded
        }

    def mark_rewarded(self, player_id: str, mission: MissionWindow) -> bool:
        try:
            self._player(player_id, "rewards", _mission_id(mission)).create(
                {"rewarded_at": timestamp(datetime.now(UTC))}
            )
        except AlreadyExists:
            return False
        return True

    def enter(self, entry: TournamentEntry) -> bool:
        board = BoardWindow(entry.tournament_id, entry.window)
        try:
            self._player(entry.player_id, "entries", _board_id(board)).create(
                {"entered_at": timestamp(entry.entered_at)}
            )
        except AlreadyExists:
            return False
        return True

    def entries(self, player_id: str, tournaments: Sequence[BoardWindow]) -> dict[BoardWindow, datetime]:
        if not tournaments:
            return {}
        by_path = {self._player(player_id, "entries", _board_id(board)).path: board for board in tournaments}
        return {
            by_path[snapshot.reference.path]: datetime.fromisoformat(snapshot.to_dict()["entered_at"])
            for snapshot in self.client.get_all([self.client.document(path) for path in by_path])
            if snapshot.exists
        }

    def _scores(self, board: BoardWindow) -> Any:
        return self.client.collection(f"{self.boards_collection}/{_board_id(board)}/scores")

    def _score(self, board: BoardWindow, player_id: str) -> Any:
        return self._scores(board).document(player_id)

    def _player(self, player_id: str, kind: str, document_id: str) -> Any:
        return self.client.document(f"{self.players_collection}/{player_id}/{kind}/{document_id}")


def _expiry() -> datetime:
    return datetime.now(UTC) + MARKER_TTL


def _board_id(board: BoardWindow) -> str:
    return f"{board.board_id}#{board.window}"


def _mission_id(mission: MissionWindow) -> str:
    return f"{mission.mission_id}#{mission.window}"
