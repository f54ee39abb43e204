"""The Pub/Sub publisher against the gcloud Pub/Sub emulator: topics per module, filters, dead letters.

The subscriptions are made as infra/ makes them (a dead-letter policy after 5 delivery attempts), so
these tests pin what the workers will receive. The emulator ignores subscription filters (measured: a
subscription filtered on `attributes.type` received every event), so the filters infra/ sets are
checked by tools/infra_check.py, not here.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

pubsub_v1 = pytest.importorskip("google.cloud.pubsub_v1", reason="google-cloud-pubsub is not installed")

from tests.gcp.pubsub_emulator import pubsub_emulator  # noqa: E402

from {{ cookiecutter.package_name }}.adapters.pubsub import (  # noqa: E402
    PublishFailed,
    PubSubPublisher,
)
from {{ cookiecutter.package_name }}.domain.events import DomainEvent  # noqa: E402

PROJECT = "casino-test"
PACKAGE = "{{ cookiecutter.package_name }}"
MAX_DELIVERY_ATTEMPTS = 5


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    with pubsub_emulator() as address:
        previous = os.environ.get("PUBSUB_EMULATOR_HOST")
        os.environ["PUBSUB_EMULATOR_HOST"] = address
        yield address
        if previous is None:
            del os.environ["PUBSUB_EMULATOR_HOST"]
        else:
            os.environ["PUBSUB_EMULATOR_HOST"] = previous


@pytest.fixture
def clients(emulator: str) -> tuple[Any, Any]:
    return pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()


def topics(publisher: Any, run: str, *keys: str) -> dict[str, str]:
    made = {}
    for key in keys:
        path = publisher.topic_path(PROJECT, f"{run}-{key}-events")
        publisher.create_topic(request={"name": path})
        made[key] = path
    return made


def subscription(subscriber: Any, name: str, topic: str, **extra: Any) -> str:
    path = subscriber.subscription_path(PROJECT, name)
    request = {"name": path, "topic": topic, "ack_deadline_seconds": 10, **extra}
    subscriber.create_subscription(request=request)
    return path


def pull(subscriber: Any, path: str, wanted: int, timeout: float = 20.0) -> list[Any]:
    """Pull and acknowledge until `wanted` messages came, or the time is up."""
    received: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(received) < wanted and time.monotonic() < deadline:
        response = subscriber.pull(request={"subscription": path, "max_messages": 10}, timeout=5)
        if response.received_messages:
            received.extend(response.received_messages)
            subscriber.acknowledge(
                request={"subscription": path, "ack_ids": [m.ack_id for m in response.received_messages]}
            )
    return received


def event(name: str, module: str, **detail: Any) -> DomainEvent:
    return DomainEvent(
        name=name,
        source=f"{PACKAGE}.{module}",
        detail=detail,
        correlation_id="corr-1",
        occurred_at=datetime(2026, 12, 3, 12, 0, tzinfo=UTC),
    )


def test_each_event_goes_to_its_modules_topic_with_its_attributes(clients: tuple[Any, Any]) -> None:
    publisher, subscriber = clients
    made = topics(publisher, "route", "wallet", "sessions", "core")
    subs = {key: subscription(subscriber, f"route-{key}", topic) for key, topic in made.items()}
    bet = event("BetPlaced", "wallet", player_id="p-1", stake=100)
    PubSubPublisher(made).publish(
        [
            bet,
            event("SessionUpdated", "sessions", player_id="p-1", status="ended"),
            event("PlayerSignInFailed", "api", reason="no token"),
        ]
    )
    [wallet] = pull(subscriber, subs["wallet"], 1)
    assert json.loads(wallet.message.data) == bet.envelope() | {"occurred_at": "2026-12-03T12:00:00+00:00"}
    assert dict(wallet.message.attributes) == {
        "type": "BetPlaced",
        "source": "wallet",
        "event_id": bet.event_id,
        "correlation_id": "corr-1",
    }
    assert wallet.message.ordering_key == "p-1"
    [session] = pull(subscriber, subs["sessions"], 1)
    assert session.message.attributes["status"] == "ended"
    [core] = pull(subscriber, subs["core"], 1)
    assert core.message.attributes["type"] == "PlayerSignInFailed"


def test_an_event_of_a_module_without_a_topic_is_refused_the_rest_published(clients: tuple[Any, Any]) -> None:
    publisher, subscriber = clients
    made = topics(publisher, "missing", "wallet")
    path = subscription(subscriber, "missing-wallet", made["wallet"])
    with pytest.raises(PublishFailed, match="no topic for source") as refused:
        PubSubPublisher(made).publish(
            [
                event("LimitChanged", "responsible_gaming", player_id="p-3"),
                event("BetPlaced", "wallet", player_id="p-3", stake=1),
            ]
        )
    assert [name for name, _, _ in refused.value.failures] == ["LimitChanged"]
    assert [m.message.attributes["type"] for m in pull(subscriber, path, 1)] == ["BetPlaced"]


def test_a_malformed_message_ends_in_the_dead_letter_topic_and_the_rest_are_processed_once(
    clients: tuple[Any, Any],
) -> None:
    """A worker that cannot read a message refuses it; after 5 attempts Pub/Sub sets it aside."""
    publisher, subscriber = clients
    made = topics(publisher, "poison", "wallet")
    dead_letters = publisher.topic_path(PROJECT, "poison-dead-letters")
    publisher.create_topic(request={"name": dead_letters})
    kept = subscription(subscriber, "poison-dead-letters", dead_letters)
    source = subscription(
        subscriber,
        "poison-worker",
        made["wallet"],
        dead_letter_policy={
            "dead_letter_topic": dead_letters,
            "max_delivery_attempts": MAX_DELIVERY_ATTEMPTS,
        },
    )
    good = [event("BetPlaced", "wallet", player_id=f"p-{n}", stake=n) for n in range(1, 4)]
    PubSubPublisher(made).publish(good[:2])
    publisher.publish(made["wallet"], b"{not json", type="BetPlaced", source="wallet").result(timeout=30)
    PubSubPublisher(made).publish(good[2:])
    processed: list[str] = []
    attempts: list[int] = []
    dead: list[Any] = []
    deadline = time.monotonic() + 90
    # The emulator moves the message to the dead-letter topic when it would deliver it a sixth time,
    # so the worker keeps pulling until the dead-letter subscription has it.
    while not dead and time.monotonic() < deadline:
        response = subscriber.pull(request={"subscription": source, "max_messages": 10}, timeout=3)
        for received in response.received_messages:
            try:
                processed.append(json.loads(received.message.data)["event_id"])
            except json.JSONDecodeError:
                attempts.append(received.delivery_attempt)
                subscriber.modify_ack_deadline(
                    request={"subscription": source, "ack_ids": [received.ack_id], "ack_deadline_seconds": 0}
                )
                continue
            subscriber.acknowledge(request={"subscription": source, "ack_ids": [received.ack_id]})
        if len(attempts) >= MAX_DELIVERY_ATTEMPTS:
            dead = pull(subscriber, kept, 1, timeout=3)
    assert [message.message.data for message in dead] == [b"{not json"]
    assert dead[0].message.attributes["CloudPubSubDeadLetterSourceSubscription"] == "poison-worker"
    assert sorted(processed) == sorted(e.event_id for e in good)  # each good event once
    assert attempts == list(range(1, MAX_DELIVERY_ATTEMPTS + 1))
