"""Notification channels: an SNS topic, SES e-mail, or the log (for development).

The setting NOTIFICATION_CHANNEL picks one (settings.NotificationSettings); the stack uses SNS, where
the team's delivery services (push, SMS, e-mail) subscribe and filter on the message attributes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..domain.notifications import Notification, Undeliverable
from .aws_clients import LazyClient

# The log channel is the same on every cloud (log_channel.py); importable from here too.
from .log_channel import LogChannel as LogChannel

if TYPE_CHECKING:
    from ..ports.notifications import NotificationChannel, NotificationStore
    from ..settings_notifications import NotificationSettings


def channel_for(settings: NotificationSettings, store: NotificationStore) -> NotificationChannel:
    """The channel the settings name; SES finds each player's address in their preferences."""
    if settings.channel == "sns" and settings.topic_arn:
        return SnsChannel(settings.topic_arn)
    if settings.channel == "ses" and settings.sender:

        def address_of(player_id: str) -> str | None:
            preferences = store.preferences(player_id)
            return None if preferences is None else preferences.email

        return SesChannel(settings.sender, address_of)
    return LogChannel()


class SnsChannel:
    """Publishes each notification to the topic, with its player, kind and reason as attributes."""

    name = "sns"

    def __init__(self, topic_arn: str, client: Any | None = None) -> None:
        self.topic_arn = topic_arn
        self._client = LazyClient("sns", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def deliver(self, notification: Notification) -> None:
        self.client.publish(
            TopicArn=self.topic_arn,
            Message=json.dumps(
                {
                    "notification_id": notification.notification_id,
                    "player_id": notification.player_id,
                    "kind": notification.kind.value,
                    "reason": notification.reason.value,
                    "subject": notification.subject,
                    "text": notification.text,
                    "correlation_id": notification.correlation_id,
                }
            ),
            # Subscribers filter on these (e.g. a push service takes only service messages).
            MessageAttributes={
                "player_id": {"DataType": "String", "StringValue": notification.player_id},
                "kind": {"DataType": "String", "StringValue": notification.kind.value},
                "reason": {"DataType": "String", "StringValue": notification.reason.value},
            },
        )


class SesChannel:
    """Sends each notification as a plain-text e-mail from a verified sender identity (SES v2)."""

    name = "ses"

    def __init__(
        self, sender: str, address_of: Callable[[str], str | None], client: Any | None = None
    ) -> None:
        self.sender = sender
        self._address_of = address_of  # the player's e-mail address, from their preferences
        self._client = LazyClient("sesv2", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def deliver(self, notification: Notification) -> None:
        address = self._address_of(notification.player_id)
        if not address:
            raise Undeliverable("the player has given no e-mail address")
        self.client.send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [address]},
            Content={
                "Simple": {
                    "Subject": {"Data": notification.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": notification.text, "Charset": "UTF-8"}},
                }
            },
            EmailTags=[
                {"Name": "kind", "Value": notification.kind.value},
                {"Name": "reason", "Value": notification.reason.value},
            ],
        )
