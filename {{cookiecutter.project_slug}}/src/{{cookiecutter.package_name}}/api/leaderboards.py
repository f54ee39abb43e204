"""Leaderboard, mission and tournament routes of the signed-in player.

The leaderboards domain is imported on these routes' first request, not with the app: a cold start
for a wallet request does not load it (api/aws.py, aws_app).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint, request

from ..domain.errors import ValidationFailed
from . import schemas
from .context import ModuleApi, current_correlation_id, current_player_id, module_service

if TYPE_CHECKING:
    from ..domain.leaderboards import Leaderboard, LeaderboardService, Window
    from ..domain.leaderboards_reads import MissionStatus

leaderboards_api = Blueprint("leaderboards", __name__)

API = ModuleApi(leaderboards_api)

# At most three digits, matched in full: anything longer is out of range anyway, and is refused before
# int() reads it (which would take "5\n" as 5).
LIMIT_RE = re.compile(r"[0-9]{1,3}")


@leaderboards_api.get("/leaderboards")
def list_boards() -> dict[str, Any]:
    current_player_id()
    _no_query(allowed=())
    return {"leaderboards": [_board_json(board, window) for board, window in _service().current_boards()]}


@leaderboards_api.get("/leaderboards/<board_id>")
def top_of_board(board_id: str) -> dict[str, Any]:
    player_id = current_player_id()
    board_id = schemas.path_identifier(board_id, "board_id")
    _no_query(allowed=("limit",))
    from ..domain.leaderboards import BoardWindow

    service = _service()
    top = service.top(board_id, _limit())
    key = BoardWindow(top.board.board_id, top.window.key)
    standings = [
        {
            "rank": standing.rank,
            "player": service.pseudonym(key, standing.player_id),
            "score": standing.score,
            "you": standing.player_id == player_id,
        }
        for standing in top.standings
    ]
    return {**_board_json(top.board, top.window), "standings": standings}


@leaderboards_api.get("/leaderboards/<board_id>/me")
def my_standing(board_id: str) -> dict[str, Any]:
    player_id = current_player_id()
    board_id = schemas.path_identifier(board_id, "board_id")
    _no_query(allowed=())
    from ..domain.leaderboards import BoardWindow

    service = _service()
    mine = service.standing(board_id, player_id)
    return {
        "board_id": mine.board.board_id,
        "window": _window_json(mine.window),
        "player": service.pseudonym(BoardWindow(mine.board.board_id, mine.window.key), player_id),
        "score": mine.score,
        "rank": mine.rank,
    }


@leaderboards_api.get("/missions/me")
def my_missions() -> dict[str, Any]:
    player_id = current_player_id()
    _no_query(allowed=())
    return {"missions": [_mission_json(status) for status in _service().missions(player_id)]}


@leaderboards_api.post("/tournaments/<tournament_id>/entries")
def enter_tournament(tournament_id: str) -> tuple[dict[str, Any], int]:
    player_id = current_player_id()
    tournament_id = schemas.path_identifier(tournament_id, "tournament_id")
    schemas.expect_fields(schemas.json_body(allow_empty=True), required=())
    entry, new = _service().enter_tournament(
        tournament_id, player_id, correlation_id=current_correlation_id()
    )
    body = {
        "tournament_id": entry.tournament_id,
        "window": entry.window,
        "entered_at": entry.entered_at.isoformat(),
    }
    return body, 201 if new else 200


def _service() -> LeaderboardService:
    return cast("LeaderboardService", module_service("leaderboards"))


def _no_query(allowed: tuple[str, ...]) -> None:
    """Refuse query parameters the route does not know, and repeated ones, by name."""
    for name in sorted(request.args):
        if name not in allowed:
            raise ValidationFailed(f"unknown query parameter {name!r}", field=name)
        if len(request.args.getlist(name)) > 1:
            raise ValidationFailed(f"{name} appears twice", field=name)


def _limit() -> int:
    from ..domain.leaderboards import DEFAULT_TOP, MAX_TOP

    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_TOP
    if not LIMIT_RE.fullmatch(raw) or not 1 <= int(raw) <= MAX_TOP:
        raise ValidationFailed(f"limit must be a whole number from 1 to {MAX_TOP}", field="limit")
    return int(raw)


def _window_json(window: Window) -> dict[str, str]:
    return {
        "key": window.key,
        "starts_at": window.starts_at.isoformat(),
        "ends_at": window.ends_at.isoformat(),
    }


def _board_json(board: Leaderboard, window: Window) -> dict[str, Any]:
    return {
        "board_id": board.board_id,
        "title": board.title,
        "scored_from": board.scored_from,
        "measure": board.measure.value,
        "period": board.schedule.period.value,
        "currency": board.currency,
        "tournament": board.tournament,
        "window": _window_json(window),
    }


def _mission_json(status: MissionStatus) -> dict[str, Any]:
    mission = status.mission
    return {
        "mission_id": mission.mission_id,
        "title": mission.title,
        "counts": mission.counts,
        "measure": mission.measure.value,
        "target": mission.target,
        "progress": status.progress,
        "completed": status.completed,
        "rewarded": status.rewarded,
        "reward": {"amount": mission.reward.amount, "currency": mission.reward.currency},
        "window": _window_json(status.window),
    }
