"""The notifications routes' service on GCP, built on the first request to those routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import ModuleService, Services

if TYPE_CHECKING:
    from ..domain.notifications import NotificationService


def gcp_notification_service(services: Services) -> NotificationService:
    """The routes' service on GCP: preferences in the casino database."""
    from ..adapters.firestore_notifications import FirestoreNotificationStore
    from ..adapters.gcp_clients import database, firestore_client, settings_environ
    from ..settings_notifications import NotificationSettings
    from .notifications import routes_service

    settings = NotificationSettings.from_env(settings_environ())
    return routes_service(services, FirestoreNotificationStore(database(), firestore_client()), settings)


# Player protection, where the project has it, is built first: it refuses a marketing opt-in while excluded.
SERVICE = ModuleService(gcp_notification_service, needs=("responsible_gaming",))
