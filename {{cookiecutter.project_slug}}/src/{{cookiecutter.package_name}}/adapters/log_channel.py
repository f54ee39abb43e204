"""The log as a notification channel, on every cloud: one structured line per notification, nobody contacted.

The API reads and records preferences and never sends, so its channel is this one; so is the Azure
notifications worker's, until a delivery service is wired there (adapters/channels.py has AWS's SNS and SES).
"""

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
