"""Notifications onto a Pub/Sub topic (NOTIFICATIONS_CHANNEL_TOPIC, infra/modules/notifications): the
team's delivery services (push, SMS, e-mail) subscribe and filter on the message attributes."""

from __future__ import annotations

import json
from typing import Any

from ..domain.notifications import Notification
from .pubsub import PubSubMessages


class PubSubChannel:
    """Publishes each notification to the topic, with its player, kind and reason as attributes."""

    name = "pubsub"

    def __init__(self, topic: str, client: Any | None = None) -> None:
        """`topic`: the full topic path (`projects/<p>/topics/<t>`)."""
        self.messages = PubSubMessages(topic, client)

    def deliver(self, notification: Notification) -> None:
        data = {
            "notification_id": notification.notification_id,
            "player_id": notification.player_id,
            "kind": notification.kind.value,
            "reason": notification.reason.value,
            "subject": notification.subject,
            "text": notification.text,
            "correlation_id": notification.correlation_id,
        }
        # Subscribers filter on these attributes (e.g. a push service takes only service messages).
        self.messages.send(
            json.dumps(data),
            player_id=notification.player_id,
            kind=notification.kind.value,
            reason=notification.reason.value,
        )
