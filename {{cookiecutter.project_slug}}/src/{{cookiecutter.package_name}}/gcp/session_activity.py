"""The sessionActivity function: a pushed wallet bet or win added to its session's activity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..gcp_push import answer, worker_step
from ..worker_events import BusEvent
from ..workers.session_activity import apply_bet_activity

if TYPE_CHECKING:
    from flask import Request

    from ..domain.sessions import SessionService

_service: SessionService | None = None


def session_activity(request: Request) -> tuple[str, int]:
    """The sessionActivity function (functions-framework, signature type http): one Pub/Sub push."""
    return answer(request.get_json(silent=True), worker_step("session activity record", _apply))


def _apply(event: BusEvent) -> str:
    return apply_bet_activity(event, _session_service())


def _session_service() -> SessionService:
    """The service on GCP, built on the first push and reused while the instance lives."""
    global _service  # one set of clients per instance
    if _service is None:
        from ..adapters.firestore_sessions import FirestoreSessionStore
        from ..adapters.gcp_clients import database, event_publisher, firestore_client, gcp_settings
        from ..domain.sessions import SessionService
        from ..settings import SystemClock

        _service = SessionService(
            FirestoreSessionStore(database(), firestore_client()),
            event_publisher(),
            SystemClock(),
            f"{gcp_settings().event_source}.sessions",
        )
    return _service
