"""The notifications routes' service on AWS, built on the first request to those routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.notifications import NotificationService


def aws_notification_service(services: Services) -> NotificationService:
    """The routes' service on AWS: preferences in the notifications table."""
    from ..adapters.dynamodb_notifications import DynamoNotificationStore
    from ..settings_notifications import NotificationSettings
    from .notifications import routes_service

    settings = NotificationSettings.from_env()
    return routes_service(services, DynamoNotificationStore(settings.notifications_table_name), settings)


# Player protection, where the project has it, is built first: it refuses a marketing opt-in while excluded.
SERVICE = ModuleService(aws_notification_service, needs=("responsible_gaming",))
