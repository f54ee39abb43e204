"""The notifications function through functions-framework, on the gcloud emulators.

A pushed LimitReached tells the player once on the channel topic (NOTIFICATIONS_CHANNEL_TOPIC), its
delivery recorded in Firestore; the same push again sends nothing more.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.gcp.firestore_emulator import PROJECT
from tests.gcp.functions import PLAYER, function_client, push

LIMIT_REACHED = {
    "event_id": "limit-event-1",
    "correlation_id": "corr-3",
    "occurred_at": "2026-12-04T12:00:00+00:00",
    "player_id": PLAYER,
    "limit_type": "deposit",
}


@pytest.fixture
def channel(function_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The channel topic with a subscription that reads what the function sends on it."""
    from google.cloud import pubsub_v1

    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    topic = publisher.topic_path(PROJECT, "functions-notifications-channel")
    subscription = subscriber.subscription_path(PROJECT, "functions-notifications-channel-test")
    if topic not in [t.name for t in publisher.list_topics(request={"project": f"projects/{PROJECT}"})]:
        publisher.create_topic(request={"name": topic})
    subscriber.create_subscription(request={"name": subscription, "topic": topic})
    monkeypatch.setenv("NOTIFICATIONS_CHANNEL_TOPIC", topic)
    yield subscription
    subscriber.delete_subscription(request={"subscription": subscription})


def sent(subscription: str) -> list[tuple[dict[str, Any], dict[str, str]]]:
    from google.cloud import pubsub_v1

    pulled = pubsub_v1.SubscriberClient().pull(
        request={"subscription": subscription, "max_messages": 10}, timeout=10
    )
    return [
        (json.loads(message.message.data), dict(message.message.attributes))
        for message in pulled.received_messages
    ]


def test_a_pushed_event_is_told_to_the_player_once(channel: str, firestore_client: Any) -> None:
    worker = function_client("notifications")

    answers = [
        worker.post("/", json=push("LimitReached", "responsible_gaming", LIMIT_REACHED)).status_code
        for _ in range(2)
    ]

    assert answers == [204, 204]
    [(body, attributes)] = sent(channel)
    assert (body["notification_id"], body["player_id"]) == ("limit-event-1", PLAYER)
    assert attributes["reason"] == "limit_reached"
    assert firestore_client.document("notification_deliveries/limit-event-1").get().exists


def test_an_event_without_its_player_is_not_acked(channel: str) -> None:
    detail = {key: value for key, value in LIMIT_REACHED.items() if key != "player_id"}

    response = function_client("notifications").post(
        "/", json=push("LimitReached", "responsible_gaming", detail)
    )

    assert response.status_code == 500  # retried by Pub/Sub, then dead-lettered
    assert sent(channel) == []
