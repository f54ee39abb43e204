"""Sessions on AWS: their DynamoDB table, and their events on the EventBridge bus."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..settings import SystemClock
from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.sessions import SessionService


def aws_sessions(services: Services) -> SessionService:
    """The session service on its DynamoDB table, publishing on the core services' bus."""
    # Imported here, not at the top: boto3 loads on the first request that needs it.
    from ..adapters.dynamodb_sessions import DynamoSessionStore
    from ..domain.sessions import SessionService
    from ..settings_sessions import SessionSettings  # its defaults are the domain's

    settings = services.settings()
    caps = SessionSettings.from_env()
    return SessionService(
        DynamoSessionStore(settings.sessions_table_name),
        services.publisher(),
        SystemClock(),
        f"{settings.event_source}.sessions",
        max_active_sessions=caps.max_active_sessions,
        at_session_cap=caps.at_session_cap,
    )


SERVICE = ModuleService(aws_sessions)
