"""The sessions module's function app: bets and wins added to their session's activity (sessionActivity).

Event Grid delivers the wallet's BetPlaced and BetSettled to the queue `sessions-sessionactivity`
(infra/modules/sessions); each event is applied once per event id (workers/session_activity.py).
"""

# azure-functions' trigger decorators are untyped; the functions they register are typed here.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

import azure.functions as func

from ..adapters.azure_environment import STORAGE_CONNECTION
from ..observability import flush_metrics
from ..workers.session_activity import apply_bet_activity
from .queues import handle

if TYPE_CHECKING:
    from ..domain.sessions import SessionService

app = func.FunctionApp()


@cache
def session_service() -> SessionService:
    """The service on the Sessions table, publishing on the topic; built on the first message."""
    from ..adapters.azure_environment import core_settings, table, topic_publisher
    from ..adapters.table_sessions import TableSessionStore
    from ..domain.sessions import SessionService
    from ..settings import SystemClock

    settings = core_settings(os.environ)
    return SessionService(
        TableSessionStore(table(os.environ, settings.sessions_table_name)),
        topic_publisher(os.environ),
        SystemClock(),
        f"{settings.event_source}.sessions",
    )


@app.function_name("sessionActivity")
@app.queue_trigger(arg_name="message", queue_name="sessions-sessionactivity", connection=STORAGE_CONNECTION)
def session_activity(message: func.QueueMessage) -> None:
    """Add one bet or win to its session (raises on a malformed event: the host retries, then poisons)."""
    try:
        handle(
            message.get_body(),
            lambda event: apply_bet_activity(event, session_service()),
            "session activity",
        )
    finally:
        flush_metrics()
