"""The notifications routes' service on AWS, built on the first request to those routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.notifications import NotificationService


def aws_notification_service(services: Services) -> NotificationService:
    """The routes' service on AWS: preferences in the notifications table.

    The API reads and records preferences and never sends, so its channel is the log.
    """
    from ..adapters.channels import LogChannel
    from ..adapters.dynamodb_notifications import DynamoNotificationStore
    from ..domain.notifications import NotificationService
    from ..settings import SystemClock
    from ..settings_notifications import NotificationSettings

    settings = NotificationSettings.from_env()
    return NotificationService(
        DynamoNotificationStore(settings.notifications_table_name),
        LogChannel(),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.notifications",
        big_win_threshold=settings.big_win_threshold,
        marketing_default=settings.marketing_default,
    )


SERVICE = ModuleService(aws_notification_service)
