"""The notifications' Pub/Sub channel on the gcloud Pub/Sub emulator: what a delivery service receives."""

from __future__ import annotations

import json
from typing import Any

from tests.gcp import test_pubsub_publisher as emulated

from {{ cookiecutter.package_name }}.adapters.pubsub_channel import PubSubChannel
from {{ cookiecutter.package_name }}.domain.notifications import Notification, Reason

# The emulator and its clients, as the publisher's tests start them.
emulator = emulated.emulator
clients = emulated.clients


def test_a_notification_reaches_the_topic_with_the_attributes_subscribers_filter_on(
    clients: tuple[Any, Any],
) -> None:
    publisher, subscriber = clients
    topic = emulated.topics(publisher, "channel", "notifications")["notifications"]
    path = emulated.subscription(subscriber, "channel-delivery", topic)
    notification = Notification(
        notification_id="e-1",
        player_id="p-1",
        reason=Reason.LIMIT_REACHED,
        subject="Deposit limit reached",
        text="You have reached your daily deposit limit.",
        correlation_id="corr-1",
    )

    PubSubChannel(topic).deliver(notification)

    [received] = emulated.pull(subscriber, path, wanted=1)
    attributes = dict(received.message.attributes)
    assert attributes == {"player_id": "p-1", "kind": "service", "reason": "limit_reached"}
    assert json.loads(received.message.data) == {
        "notification_id": "e-1",
        "player_id": "p-1",
        "kind": "service",
        "reason": "limit_reached",
        "subject": "Deposit limit reached",
        "text": "You have reached your daily deposit limit.",
        "correlation_id": "corr-1",
    }
