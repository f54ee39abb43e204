"""The notifications module's function app: players told about wins, bonuses, limits (notifications).

Event Grid delivers the event types of infra/modules/notifications to the queue
`notifications-notifications`; each event is delivered once per event id (domain/notifications.py).
The channel is the log: no e-mail or SMS service is wired on Azure yet.
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
from ..workers.notifications import notify
from .queues import handle

if TYPE_CHECKING:
    from ..domain.notifications import NotificationService

app = func.FunctionApp()


@cache
def notification_service() -> NotificationService:
    """The service on the Notifications table, publishing on the topic; built on the first message."""
    from ..adapters.azure_environment import core_settings, table, topic_publisher
    from ..adapters.log_channel import LogChannel
    from ..adapters.table_notifications import TableNotificationStore
    from ..domain.notifications import NotificationService
    from ..settings import SystemClock
    from ..settings_notifications import NotificationSettings

    settings = core_settings(os.environ)
    notification_settings = NotificationSettings.from_env()
    return NotificationService(
        TableNotificationStore(table(os.environ, notification_settings.notifications_table_name)),
        LogChannel(),
        topic_publisher(os.environ),
        SystemClock(),
        f"{settings.event_source}.notifications",
        big_win_threshold=notification_settings.big_win_threshold,
        marketing_default=notification_settings.marketing_default,
    )


@app.function_name("notifications")
@app.queue_trigger(
    arg_name="message", queue_name="notifications-notifications", connection=STORAGE_CONNECTION
)
def notifications(message: func.QueueMessage) -> None:
    """Handle one event (raises on a malformed event: the host retries, then poisons)."""
    try:
        handle(
            message.get_body(),
            lambda event: notify(event, notification_service()),
            "notification",
        )
    finally:
        flush_metrics()
