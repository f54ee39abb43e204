"""DynamoDB LeaderboardStore: one play is ONE conditional TransactWriteItems.

Item layout (the leaderboards table, keys `pk`/`sk`):
- score            pk=BOARD#<board_id>#<window>  sk=PLAYER#<player_id>
                   board_window=<board_id>#<window>, score (GSI scores_by_board: board_window, score)
- mission progress pk=PLAYER#<player_id>         sk=MISSION#<mission_id>#<window>  progress, rewarded_at?
- tournament entry pk=PLAYER#<player_id>         sk=ENTRY#<tournament_id>#<window> entered_at
- applied event    pk=EVENT#<event_id>           sk=EVENT                          expires_at (TTL)

Only score items carry `score`, so the index holds scores and nothing else. Top-N is one Query of the
index, highest first; a rank is a COUNT of the scores above the player's. The index is eventually
consistent: a score written a moment ago may take a moment to move the ranking.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..domain.leaderboards import BoardWindow, MissionProgress, MissionWindow, ScoredPlay
from .dynamodb import Item, TransactionCancelled, _DynamoTable, _key, _n, _s, _timestamp

if TYPE_CHECKING:
    from ..domain.leaderboards_reads import TournamentEntry

SCORES_INDEX = "scores_by_board"
# BatchGetItem reads at most 100 keys per call; unprocessed keys are asked for again, this often.
BATCH_GET_SIZE = 100
BATCH_GET_ATTEMPTS = 5
# Applied-event markers outlive every copy of the event: the queue keeps it 4 days, its dead-letter
# queue 14 days, so a message redriven from the dead-letter queue is still recognised as applied.
MARKER_TTL_SECONDS = 15 * 24 * 3600


class DynamoLeaderboardStore(_DynamoTable):
    """Scores, mission progress and tournament entries in one DynamoDB table."""

    def record_play(self, play: ScoredPlay) -> bool:
        # TTL runs on DynamoDB's wall clock, so the marker's expiry uses the real time too.
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": {**_key(_event_pk(play.event_id), "EVENT"), "expires_at": _n(_expiry())},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        for board, points in play.scores.items():
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _key(_board_pk(board), _player_sk(play.player_id)),
                        "UpdateExpression": "SET board_window = :board ADD score :points",
                        "ExpressionAttributeValues": {
                            ":board": _s(_board_window(board)),
                            ":points": _n(points),
                        },
                    }
                }
            )
        for mission, steps in play.progress.items():
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _key(_player_pk(play.player_id), _mission_sk(mission)),
                        "UpdateExpression": "ADD progress :steps",
                        "ExpressionAttributeValues": {":steps": _n(steps)},
                    }
                }
            )
        try:
            self._transact(items)
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                return False
            raise
        return True

    def score(self, board: BoardWindow, player_id: str) -> int | None:
        item = self._get(_board_pk(board), _player_sk(player_id))
        return None if item is None else int(item["score"]["N"])

    def top(self, board: BoardWindow, limit: int) -> list[tuple[str, int]]:
        response = self.client.query(
            TableName=self.table_name,
            IndexName=SCORES_INDEX,
            KeyConditionExpression="board_window = :board",
            ExpressionAttributeValues={":board": _s(_board_window(board))},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [
            (item["sk"]["S"].removeprefix("PLAYER#"), int(item["score"]["N"]))
            for item in response.get("Items", [])
        ]

    def players_ahead(self, board: BoardWindow, score: int) -> int:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name,
            IndexName=SCORES_INDEX,
            KeyConditionExpression="board_window = :board AND score > :mine",
            ExpressionAttributeValues={":board": _s(_board_window(board)), ":mine": _n(score)},
            Select="COUNT",
        )
        return sum(int(page.get("Count", 0)) for page in pages)

    def progress(
        self, player_id: str, missions: Sequence[MissionWindow]
    ) -> dict[MissionWindow, MissionProgress]:
        by_sk = {_mission_sk(mission): mission for mission in missions}
        items = self._batch_get(_key(_player_pk(player_id), sk) for sk in by_sk)
        return {
            by_sk[item["sk"]["S"]]: MissionProgress(
                progress=int(item.get("progress", {"N": "0"})["N"]), rewarded="rewarded_at" in item
            )
            for item in items
        }

    def mark_rewarded(self, player_id: str, mission: MissionWindow) -> bool:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_key(_player_pk(player_id), _mission_sk(mission)),
                UpdateExpression="SET rewarded_at = :now",
                ConditionExpression="attribute_not_exists(rewarded_at)",
                ExpressionAttributeValues={":now": _s(_timestamp(datetime.now(UTC)))},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def enter(self, entry: TournamentEntry) -> bool:
        board = BoardWindow(entry.tournament_id, entry.window)
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    **_key(_player_pk(entry.player_id), _entry_sk(board)),
                    "entered_at": _s(_timestamp(entry.entered_at)),
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def entries(self, player_id: str, tournaments: Sequence[BoardWindow]) -> dict[BoardWindow, datetime]:
        by_sk = {_entry_sk(board): board for board in tournaments}
        items = self._batch_get(_key(_player_pk(player_id), sk) for sk in by_sk)
        return {by_sk[item["sk"]["S"]]: datetime.fromisoformat(item["entered_at"]["S"]) for item in items}

    def _batch_get(self, keys: Iterable[Item]) -> list[Item]:
        """Every existing item of `keys`, read consistently (a play just recorded is seen)."""
        pending = list(keys)
        found: list[Item] = []
        while pending:
            chunk, pending = pending[:BATCH_GET_SIZE], pending[BATCH_GET_SIZE:]
            for attempt in range(1, BATCH_GET_ATTEMPTS + 1):
                response = self.client.batch_get_item(
                    RequestItems={self.table_name: {"Keys": chunk, "ConsistentRead": True}}
                )
                found += response.get("Responses", {}).get(self.table_name, [])
                chunk = response.get("UnprocessedKeys", {}).get(self.table_name, {}).get("Keys", [])
                if not chunk:
                    break
                if attempt == BATCH_GET_ATTEMPTS:
                    raise RuntimeError(f"DynamoDB left {len(chunk)} key(s) unread after {attempt} attempts")
                time.sleep(0.05 * 2**attempt)
        return found


def _expiry() -> int:
    return int(time.time()) + MARKER_TTL_SECONDS


def _board_window(board: BoardWindow) -> str:
    return f"{board.board_id}#{board.window}"


def _board_pk(board: BoardWindow) -> str:
    return f"BOARD#{_board_window(board)}"


def _player_pk(player_id: str) -> str:
    return f"PLAYER#{player_id}"


def _player_sk(player_id: str) -> str:
    return f"PLAYER#{player_id}"


def _mission_sk(mission: MissionWindow) -> str:
    return f"MISSION#{mission.mission_id}#{mission.window}"


def _entry_sk(board: BoardWindow) -> str:
    return f"ENTRY#{board.board_id}#{board.window}"


def _event_pk(event_id: str) -> str:
    return f"EVENT#{event_id}"
