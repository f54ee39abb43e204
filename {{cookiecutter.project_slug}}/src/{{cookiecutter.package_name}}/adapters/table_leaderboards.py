"""The leaderboards' Azure Table Storage store: one play is ONE entity group transaction.

Entity layout (one table; keys percent-encoded by adapters/azure_tables.py, so an id never holds a `:`):
- applied event    PartitionKey=PLAYER:<player_id>  RowKey=EVENT:<event_id>
- score            PartitionKey=PLAYER:<player_id>  RowKey=SCORE:<board_id>:<window>  score, version (Int64)
- mission progress PartitionKey=PLAYER:<player_id>  RowKey=MISSION:<mission_id>:<window>
                   progress (Int64), rewarded_at?
- tournament entry PartitionKey=PLAYER:<player_id>  RowKey=ENTRY:<tournament_id>:<window>  entered_at
- board's copy     PartitionKey=BOARD:<board_id>:<window>  RowKey=PLAYER:<player_id>  score, version, rank
- board's ranking  PartitionKey=BOARD:<board_id>:<window>  RowKey=RANK:<10**19 - score, 20 digits>:<player_id>
                   player_id, score

A transaction spans one partition, so a play is written in its player's: the event's marker (insert if
absent: a redelivered event, or two workers handling it at once, apply it once), every score and mission
step at the ETag it was read with (or inserted if absent). That is the play, atomic and once-only, and
what `score` and `progress` read. The boards are copies, as DynamoDB's index is: after the play, each
board's copy of the player's score is written with its ranking row in one transaction of the board's
partition, only if its `version` is newer than the copy's (so copies racing each other never step back);
a redelivered play (answered False) writes the copies again, so a worker that died between the play and
its copies leaves nothing behind once the event is redelivered. The ranking rows sort by score, highest
first: top-N is one query of `limit` rows, a rank one query counting the rows above a score.

Requests per operation: `record_play` 2 (the player's entities of the play in one query, the
transaction) plus 2 per board (the copy's read, its transaction); a replayed play 3 plus 1 per board
(the refused transaction, its scores' query, each copy's read: a current copy is left as it is);
`score` 1; `top` 1 (one page of `limit` rows); `players_ahead` 1 per 1,000 players ahead; `progress` /
`entries` 1 (one query of up to 14 rows); `mark_rewarded` 2 (read, merge at its ETag); `enter` 1 (insert
if absent). A lost race costs the reads and the write again. Table Storage has no TTL: applied-event
markers stay (DynamoDB's expire after 15 days).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient, TableEntity, TableTransactionError, UpdateMode

from ..domain.leaderboards import BoardWindow, MissionProgress, MissionWindow, ScoredPlay
from ..domain.leaderboards_reads import TournamentEntry
from .azure_tables import (
    TRANSACTION_OPERATIONS,
    back_off,
    error_code,
    if_unchanged,
    int64,
    integer,
    key,
    lost_race,
    rows_of,
)
from .document_records import timestamp

# Writers racing for one partition read again and try again; this bounds it so a broken table fails
# loudly instead of spinning.
RACE_ATTEMPTS = 100
# Ranking rows hold 10**19 - score in 20 digits: highest score first in RowKey order.
RANK_OFFSET = 10**19
RANK = "RANK:"
PAST_RANK = "RANK;"
PLAYER = "PLAYER:"


class TableLeaderboardStore:
    """Scores, mission progress and tournament entries in one Azure table."""

    def __init__(self, table: TableClient) -> None:
        self.table = table

    def record_play(self, play: ScoredPlay) -> bool:
        if 1 + len(play.scores) + len(play.progress) > TRANSACTION_OPERATIONS:
            raise ValueError(
                f"a play scores at most {TRANSACTION_OPERATIONS - 1} boards and missions together "
                "(one transaction); split the play's boards or missions"
            )
        partition = _player_partition(play.player_id)
        for _ in range(RACE_ATTEMPTS):
            stored = self._rows(partition, [*map(_score_row, play.scores), *map(_mission_row, play.progress)])
            operations: list[tuple[object, ...]] = [
                ("create", {"PartitionKey": partition, "RowKey": f"EVENT:{key(play.event_id)}"})
            ]
            scores: dict[BoardWindow, tuple[int, int]] = {}
            for board, points in play.scores.items():
                row = stored.get(_score_row(board))
                score = integer(row, "score") + points if row is not None else points
                version = integer(row, "version") + 1 if row is not None else 1
                scores[board] = (score, version)
                entity = {
                    "PartitionKey": partition,
                    "RowKey": _score_row(board),
                    "score": int64(score),
                    "version": int64(version),
                }
                operations.append(_write(entity, row))
            for mission, steps in play.progress.items():
                row = stored.get(_mission_row(mission))
                progress = integer(row, "progress") + steps if row is not None else steps
                entity = {
                    "PartitionKey": partition,
                    "RowKey": _mission_row(mission),
                    "progress": int64(progress),
                }
                operations.append(_write(entity, row))
            try:
                self.table.submit_transaction(operations)
            except TableTransactionError as failure:
                if error_code(failure) == "EntityAlreadyExists" and failure.index == 0:
                    # Applied already: its board copies are written again, in case they were not.
                    self._copy_scores(play.player_id, list(play.scores))
                    return False
                if not lost_race(failure):
                    raise
                back_off()
                continue
            for board, (score, version) in scores.items():
                self._copy_score(board, play.player_id, score, version)
            return True
        raise RuntimeError(f"play {play.event_id}: kept losing races to other plays of its player")

    def score(self, board: BoardWindow, player_id: str) -> int | None:
        row = self._read(_player_partition(player_id), _score_row(board))
        return None if row is None else integer(row, "score")

    def top(self, board: BoardWindow, limit: int) -> list[tuple[str, int]]:
        if limit <= 0:
            return []
        pages = self.table.query_entities(
            "PartitionKey eq @board and RowKey ge @first and RowKey lt @last",
            parameters={"board": _board_partition(board), "first": RANK, "last": PAST_RANK},
            select=["player_id", "score"],
            results_per_page=limit,
        ).by_page()
        rows: list[TableEntity] = list(next(pages, []))
        return [(str(row["player_id"]), integer(row, "score")) for row in rows][:limit]

    def players_ahead(self, board: BoardWindow, score: int) -> int:
        rows = self.table.query_entities(
            "PartitionKey eq @board and RowKey ge @first and RowKey lt @mine",
            parameters={"board": _board_partition(board), "first": RANK, "mine": f"{RANK}{_rank(score)}"},
            select=["RowKey"],
        )
        return sum(1 for _ in rows)

    def progress(
        self, player_id: str, missions: Sequence[MissionWindow]
    ) -> dict[MissionWindow, MissionProgress]:
        by_row = {_mission_row(mission): mission for mission in missions}
        rows = self._rows(_player_partition(player_id), list(by_row))
        return {
            by_row[row_key]: MissionProgress(progress=integer(row, "progress"), rewarded="rewarded_at" in row)
            for row_key, row in rows.items()
        }

    def mark_rewarded(self, player_id: str, mission: MissionWindow) -> bool:
        partition = _player_partition(player_id)
        for _ in range(RACE_ATTEMPTS):
            row = self._read(partition, _mission_row(mission))
            if row is not None and "rewarded_at" in row:
                return False
            entity = {
                "PartitionKey": partition,
                "RowKey": _mission_row(mission),
                "rewarded_at": timestamp(datetime.now(UTC)),
            }
            try:
                if row is None:
                    self.table.create_entity({**entity, "progress": int64(0)})
                else:
                    self.table.update_entity(entity, mode=UpdateMode.MERGE, **if_unchanged(row))
                return True
            except HttpResponseError as failure:
                if not lost_race(failure):
                    raise
                back_off()
        raise RuntimeError(f"mission {mission.mission_id} of {player_id}: kept losing races to other writes")

    def enter(self, entry: TournamentEntry) -> bool:
        board = BoardWindow(entry.tournament_id, entry.window)
        try:
            self.table.create_entity(
                {
                    "PartitionKey": _player_partition(entry.player_id),
                    "RowKey": _entry_row(board),
                    "entered_at": timestamp(entry.entered_at),
                }
            )
        except ResourceExistsError:
            return False
        return True

    def entries(self, player_id: str, tournaments: Sequence[BoardWindow]) -> dict[BoardWindow, datetime]:
        by_row = {_entry_row(board): board for board in tournaments}
        rows = self._rows(_player_partition(player_id), list(by_row))
        return {by_row[row_key]: datetime.fromisoformat(row["entered_at"]) for row_key, row in rows.items()}

    def _copy_scores(self, player_id: str, boards: list[BoardWindow]) -> None:
        rows = self._rows(_player_partition(player_id), [_score_row(board) for board in boards])
        for board in boards:
            row = rows.get(_score_row(board))
            if row is not None:
                self._copy_score(board, player_id, integer(row, "score"), integer(row, "version"))

    def _copy_score(self, board: BoardWindow, player_id: str, score: int, version: int) -> None:
        """The board's copy of the player's score and its ranking row, unless a newer copy is there."""
        partition = _board_partition(board)
        ranking = f"{RANK}{_rank(score)}:{key(player_id)}"
        for _ in range(RACE_ATTEMPTS):
            copy = self._read(partition, f"{PLAYER}{key(player_id)}")
            if copy is not None and integer(copy, "version") >= version:
                return
            entity = {
                "PartitionKey": partition,
                "RowKey": f"{PLAYER}{key(player_id)}",
                "score": int64(score),
                "version": int64(version),
                "rank": ranking,
            }
            operations: list[tuple[object, ...]] = [
                ("create", entity)
                if copy is None
                else ("update", entity, {"mode": UpdateMode.REPLACE, **if_unchanged(copy)})
            ]
            if copy is not None and copy["rank"] != ranking:
                operations.append(("delete", {"PartitionKey": partition, "RowKey": copy["rank"]}))
            operations.append(
                (
                    "upsert",
                    {
                        "PartitionKey": partition,
                        "RowKey": ranking,
                        "player_id": player_id,
                        "score": int64(score),
                    },
                    {"mode": UpdateMode.REPLACE},
                )
            )
            try:
                self.table.submit_transaction(operations)
                return
            except TableTransactionError as failure:
                if not lost_race(failure):
                    raise
                back_off()
        raise RuntimeError(f"board {board.board_id}: kept losing races copying the score of {player_id}")

    def _rows(self, partition: str, row_keys: list[str]) -> dict[str, TableEntity]:
        return rows_of(self.table, partition, row_keys)

    def _read(self, partition: str, row_key: str) -> TableEntity | None:
        try:
            return self.table.get_entity(partition, row_key)
        except ResourceNotFoundError:
            return None


def _write(entity: Mapping[str, object], stored: TableEntity | None) -> tuple[object, ...]:
    """Inserted if it was absent when read, else merged at the ETag read: a lost race fails the play."""
    if stored is None:
        return ("create", entity)
    return ("update", entity, {"mode": UpdateMode.MERGE, **if_unchanged(stored)})


def _rank(score: int) -> str:
    return f"{RANK_OFFSET - score:020d}"


def _player_partition(player_id: str) -> str:
    return f"{PLAYER}{key(player_id)}"


def _board_partition(board: BoardWindow) -> str:
    return f"BOARD:{key(board.board_id)}:{key(board.window)}"


def _score_row(board: BoardWindow) -> str:
    return f"SCORE:{key(board.board_id)}:{key(board.window)}"


def _mission_row(mission: MissionWindow) -> str:
    return f"MISSION:{key(mission.mission_id)}:{key(mission.window)}"


def _entry_row(board: BoardWindow) -> str:
    return f"ENTRY:{key(board.board_id)}:{key(board.window)}"
