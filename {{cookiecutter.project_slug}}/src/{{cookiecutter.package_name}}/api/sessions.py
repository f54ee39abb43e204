"""Session routes: sign-in, heartbeat and sign-out of the signed-in player."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint

from . import schemas
from .context import ModuleApi, current_correlation_id, current_player_id, module_service
from .modules import view_extensions

if TYPE_CHECKING:
    from ..domain.sessions import Session, SessionService

# The module's domain loads on the first request to its routes, not at the API's cold start
# (docs/benchmarks.md); snapstart.py loads it before a snapshot.
sessions_api = Blueprint("sessions", __name__, url_prefix="/sessions")

API = ModuleApi(sessions_api)


@sessions_api.post("")
def start_session() -> tuple[dict[str, Any], int]:
    player_id = current_player_id()
    schemas.expect_fields(schemas.json_body(allow_empty=True), required=())
    session = _sessions().start_session(player_id, correlation_id=current_correlation_id())
    return _session_json(session), 201


@sessions_api.post("/<session_id>/heartbeat")
def heartbeat(session_id: str) -> dict[str, Any]:
    player_id = current_player_id()
    session_id = schemas.path_identifier(session_id, "session_id")
    schemas.expect_fields(schemas.json_body(allow_empty=True), required=())
    session = _sessions().heartbeat(session_id, player_id, correlation_id=current_correlation_id())
    return _session_json(session)


@sessions_api.delete("/<session_id>")
def end_session(session_id: str) -> dict[str, Any]:
    player_id = current_player_id()
    session_id = schemas.path_identifier(session_id, "session_id")
    session = _sessions().end_session(session_id, player_id, correlation_id=current_correlation_id())
    return _session_json(session)


def _sessions() -> SessionService:
    return cast("SessionService", module_service("sessions"))


def _session_json(session: Session) -> dict[str, Any]:
    view: dict[str, Any] = {
        "session_id": session.session_id,
        "status": session.status.value,
        "started_at": session.started_at.isoformat(),
        "last_seen_at": session.last_seen_at.isoformat(),
        "ended_at": None if session.ended_at is None else session.ended_at.isoformat(),
        "activity": {
            "bets": session.activity.bets,
            "staked": session.activity.staked,
            "won": session.activity.won,
        },
    }
    # Fields other modules add to a session (player protection: its reality check).
    for extend in view_extensions("session"):
        view.update(extend(session))
    return view
