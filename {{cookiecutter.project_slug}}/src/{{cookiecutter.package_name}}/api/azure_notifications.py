"""The notifications routes' service on Azure, built on the first request to those routes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, cast

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.notifications import NotificationService


def azure_notification_service(services: Services) -> NotificationService:
    """The routes' service on Azure: preferences in the Notifications table.

    The API reads and records preferences and never sends, so its channel is the log.
    """
    from ..adapters.azure_environment import table
    from ..adapters.log_channel import LogChannel
    from ..adapters.table_notifications import TableNotificationStore
    from ..domain.notifications import NotificationService
    from ..ports import MarketingGate
    from ..settings import SystemClock
    from ..settings_notifications import NotificationSettings

    settings = NotificationSettings.from_env()
    return NotificationService(
        TableNotificationStore(table(os.environ, settings.notifications_table_name)),
        LogChannel(),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.notifications",
        big_win_threshold=settings.big_win_threshold,
        marketing_default=settings.marketing_default,
        # Player protection, where the project has it: no marketing opt-in while excluded.
        marketing=cast("MarketingGate | None", services.module("responsible_gaming")),
    )


# Player protection, where the project has it, is built first: it refuses a marketing opt-in while excluded.
SERVICE = ModuleService(azure_notification_service, needs=("responsible_gaming",))
