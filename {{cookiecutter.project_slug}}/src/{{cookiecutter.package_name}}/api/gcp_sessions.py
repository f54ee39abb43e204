"""Sessions on GCP: their Firestore documents, and their events on the sessions topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..settings import SystemClock
from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.sessions import SessionService


def gcp_sessions(services: Services) -> SessionService:
    """The session service on the casino database, publishing on the core services' topics."""
    # Imported here, not at the top: the Firestore client loads on the first request that needs it.
    from ..adapters.firestore_sessions import FirestoreSessionStore
    from ..adapters.gcp_clients import database, firestore_client
    from ..domain.sessions import SessionService
    from ..settings_sessions import SessionSettings  # its defaults are the domain's

    caps = SessionSettings.from_env()
    return SessionService(
        FirestoreSessionStore(database(), firestore_client()),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.sessions",
        max_active_sessions=caps.max_active_sessions,
        at_session_cap=caps.at_session_cap,
    )


SERVICE = ModuleService(gcp_sessions)
