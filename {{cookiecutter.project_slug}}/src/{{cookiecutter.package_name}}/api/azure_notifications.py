"""The notifications routes' service on Azure, built on the first request to those routes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.notifications import NotificationService


def azure_notification_service(services: Services) -> NotificationService:
    """The routes' service on Azure: preferences in the Notifications table."""
    from ..adapters.azure_environment import table
    from ..adapters.table_notifications import TableNotificationStore
    from ..settings_notifications import NotificationSettings
    from .notifications import routes_service

    settings = NotificationSettings.from_env()
    return routes_service(
        services, TableNotificationStore(table(os.environ, settings.notifications_table_name)), settings
    )


# Player protection, where the project has it, is built first: it refuses a marketing opt-in while excluded.
SERVICE = ModuleService(azure_notification_service, needs=("responsible_gaming",))
