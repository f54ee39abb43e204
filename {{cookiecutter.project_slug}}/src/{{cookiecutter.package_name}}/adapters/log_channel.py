"""The log as a notification channel: for local runs and for the API, which never sends."""

from __future__ import annotations

from ..domain.notifications import Notification
from ..observability import get_logger


class LogChannel:
    """Writes one structured log line per notification: for local runs, nobody is contacted."""

    name = "log"

    def deliver(self, notification: Notification) -> None:
        # Ids and the reason only: the text and any address stay out of the logs (no personal data
        # beyond the player id).
        get_logger().info(
            "notification",
            extra={
                "notification_id": notification.notification_id,
                "player_id": notification.player_id,
                "kind": notification.kind.value,
                "reason": notification.reason.value,
            },
        )
