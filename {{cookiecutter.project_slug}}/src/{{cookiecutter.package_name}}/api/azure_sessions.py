"""Sessions on Azure: their Table Storage table, and their events on the Event Grid topic."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..settings import SystemClock
from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.sessions import SessionService


def azure_sessions(services: Services) -> SessionService:
    """The session service on the Sessions table (SESSIONS_TABLE_NAME), publishing on the topic."""
    from ..adapters.azure_environment import table
    from ..adapters.table_sessions import TableSessionStore
    from ..domain.sessions import SessionService
    from ..settings_sessions import SessionSettings  # its defaults are the domain's

    settings = services.settings()
    caps = SessionSettings.from_env()
    return SessionService(
        TableSessionStore(table(os.environ, settings.sessions_table_name)),
        services.publisher(),
        SystemClock(),
        f"{settings.event_source}.sessions",
        max_active_sessions=caps.max_active_sessions,
        at_session_cap=caps.at_session_cap,
    )


SERVICE = ModuleService(azure_sessions)
