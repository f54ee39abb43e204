"""The notifications function: a pushed event told to the player, through the channel topic."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..gcp_push import answer, worker_step
from ..worker_events import BusEvent
from ..workers.notifications import notify

if TYPE_CHECKING:
    from flask import Request

    from ..domain.notifications import NotificationService
    from ..ports.notifications import NotificationChannel

_service: NotificationService | None = None


def notifications(request: Request) -> tuple[str, int]:
    """The notifications function (functions-framework, signature type http): one Pub/Sub push."""
    return answer(request.get_json(silent=True), worker_step("notification record", _apply))


def _apply(event: BusEvent) -> str:
    return notify(event, _notification_service())


def _notification_service() -> NotificationService:
    """The service on GCP, built on the first push and reused while the instance lives."""
    global _service  # one set of clients per instance
    if _service is None:
        from ..adapters.firestore_notifications import FirestoreNotificationStore
        from ..adapters.gcp_clients import (
            database,
            event_publisher,
            firestore_client,
            gcp_settings,
            settings_environ,
        )
        from ..domain.notifications import NotificationService
        from ..settings import SystemClock
        from ..settings_notifications import NotificationSettings

        settings = NotificationSettings.from_env(settings_environ())
        _service = NotificationService(
            FirestoreNotificationStore(database(), firestore_client()),
            _channel(),
            event_publisher(),
            SystemClock(),
            f"{gcp_settings().event_source}.notifications",
            big_win_threshold=settings.big_win_threshold,
            marketing_default=settings.marketing_default,
        )
    return _service


def _channel() -> NotificationChannel:
    """The topic infra/modules/notifications names (NOTIFICATIONS_CHANNEL_TOPIC); the log without one."""
    topic = os.environ.get("NOTIFICATIONS_CHANNEL_TOPIC", "").strip()
    if topic:
        from ..adapters.pubsub_channel import PubSubChannel

        return PubSubChannel(topic)
    from ..adapters.log_channel import LogChannel

    return LogChannel()
