"""Session routes: sign-in, heartbeat and sign-out of the signed-in player."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..domain.sessions import Session, SessionService
from . import schemas
from .context import current_correlation_id, current_player_id, current_services

sessions_api = Blueprint("sessions", __name__, url_prefix="/sessions")


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
    return current_services().sessions


def _session_json(session: Session) -> dict[str, Any]:
    return {
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
{%- if cookiecutter.module_responsible_gaming %}
        "reality_check": _reality_check_json(session),
{%- endif %}
    }
{%- if cookiecutter.module_responsible_gaming %}


def _reality_check_json(session: Session) -> dict[str, Any] | None:
    """When the next reality check is due and how many are due so far (None: the session has none)."""
    next_due_at = session.next_reality_check_at
    if session.reality_check_minutes is None or next_due_at is None:
        return None
    return {
        "interval_minutes": session.reality_check_minutes,
        "checks_due": session.reality_checks_due,
        "next_due_at": next_due_at.isoformat(),
    }
{%- endif %}
