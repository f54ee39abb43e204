"""The auditTrail function through functions-framework, on the gcloud emulators.

A pushed critical event is appended to the Firestore chain once per event id and its record handed to
the archive's topic; an event the trail does not record is acked and ignored; a malformed push is
answered 400 (Pub/Sub retries it, then dead-letters it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.gcp.firestore_emulator import PROJECT
from tests.gcp.functions import function_client, push

SIGN_IN_FAILED = {
    "event_id": "audit-event-1",
    "correlation_id": "corr-7",
    "occurred_at": "2026-12-04T12:00:00+00:00",
    "reason": "invalid_token",
}


@pytest.fixture
def archive_subscription(
    function_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The archive's topic (AUDIT_ARCHIVE_TOPIC) with a subscription that reads what is handed to it."""
    from google.cloud import pubsub_v1

    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    topic = publisher.topic_path(PROJECT, "functions-audit-archive")
    subscription = subscriber.subscription_path(PROJECT, "functions-audit-archive-test")
    if topic not in [t.name for t in publisher.list_topics(request={"project": f"projects/{PROJECT}"})]:
        publisher.create_topic(request={"name": topic})
    subscriber.create_subscription(request={"name": subscription, "topic": topic})
    monkeypatch.setenv("AUDIT_ARCHIVE_TOPIC", topic)
    yield subscription
    subscriber.delete_subscription(request={"subscription": subscription})


def handed_to_archive(subscription: str) -> list[dict[str, Any]]:
    from google.cloud import pubsub_v1

    subscriber = pubsub_v1.SubscriberClient()
    pulled = subscriber.pull(request={"subscription": subscription, "max_messages": 10}, timeout=10)
    return [
        record
        for message in pulled.received_messages
        for record in json.loads(message.message.data)["records"]
    ]


def test_a_pushed_critical_event_is_appended_once(archive_subscription: str, firestore_client: Any) -> None:
    worker = function_client("audit_trail")
    body = push("PlayerSignInFailed", "core", SIGN_IN_FAILED)

    answers = [worker.post("/", json=body).status_code for _ in range(2)]

    assert answers == [204, 204]
    records = [document.to_dict() for document in firestore_client.collection("audit_records").stream()]
    assert [record["event_id"] for record in records] == ["audit-event-1"]
    assert firestore_client.document("audit/head").get().get("sequence") == 1
    assert {record["event_id"] for record in handed_to_archive(archive_subscription)} == {"audit-event-1"}


def test_an_event_the_trail_does_not_record_is_acked_and_ignored(
    archive_subscription: str, firestore_client: Any
) -> None:
    body = push("BalanceViewed", "core", {**SIGN_IN_FAILED, "event_id": "not-audited-1"})

    assert function_client("audit_trail").post("/", json=body).status_code == 204
    assert list(firestore_client.collection("audit_records").stream()) == []


def test_a_malformed_push_is_answered_400(archive_subscription: str) -> None:
    response = function_client("audit_trail").post("/", json={"subscription": "no message"})

    assert response.status_code == 400
