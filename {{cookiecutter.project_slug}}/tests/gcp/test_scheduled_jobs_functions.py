"""The sessions' scheduled jobs through functions-framework, as Cloud Scheduler calls them, on the emulators.

sessionCleanup ends the idle sessions of Firestore and announces each on the sessions topic under the
call's correlation id; retentionPurge deletes the sessions that ended before the retention. What every
job's call shares (its run, its time budget): test_scheduled_calls.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.gcp.firestore_emulator import PROJECT
from tests.gcp.functions import PLAYER, function_client, scheduler_call
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_sessions import FirestoreSessionStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.domain.sessions import Session, SessionStatus
from {{ cookiecutter.package_name }}.gcp_scheduled import scheduled_run


@pytest.fixture
def sessions_topic(function_environment: dict[str, str]) -> Iterator[str]:
    """A subscription to the sessions topic of EVENT_TOPICS, reading what the job publishes."""
    from google.cloud import pubsub_v1

    subscriber = pubsub_v1.SubscriberClient()
    subscription = subscriber.subscription_path(PROJECT, f"sessions-test-{uuid.uuid4().hex[:8]}")
    topic = json.loads(function_environment["EVENT_TOPICS"])["sessions"]
    subscriber.create_subscription(request={"name": subscription, "topic": topic})
    yield subscription
    subscriber.delete_subscription(request={"subscription": subscription})


def published(subscription: str) -> list[tuple[dict[str, Any], dict[str, str]]]:
    from google.cloud import pubsub_v1

    pulled = pubsub_v1.SubscriberClient().pull(
        request={"subscription": subscription, "max_messages": 10}, timeout=10
    )
    return [
        (json.loads(item.message.data), dict(item.message.attributes)) for item in pulled.received_messages
    ]


def session(session_id: str, *, seen: datetime, ended: datetime | None = None) -> Session:
    return Session(
        session_id=session_id,
        player_id=PLAYER,
        status=SessionStatus.ACTIVE if ended is None else SessionStatus.ENDED,
        started_at=seen - timedelta(minutes=5),
        last_seen_at=seen,
        ended_at=ended,
    )


def test_the_cleanup_ends_the_idle_session_once_and_announces_it(
    sessions_topic: str, firestore_client: Any
) -> None:
    store = FirestoreSessionStore(DATABASE, firestore_client)
    now = datetime.now(UTC)
    store.save(session("idle", seen=now - timedelta(hours=2)))
    store.save(session("fresh", seen=now))
    job = function_client("session_cleanup")

    first = job.post("/", headers=scheduler_call())
    again = job.post("/", headers=scheduler_call())  # Cloud Scheduler's retry of the same call

    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.get_json()["ended"], again.get_json()["ended"]) == (1, 0)
    assert store.get("idle").status is SessionStatus.ENDED  # type: ignore[union-attr]
    assert store.get("fresh").status is SessionStatus.ACTIVE  # type: ignore[union-attr]
    [(event, attributes)] = published(sessions_topic)
    assert attributes["type"] == "SessionUpdated"
    assert (event["session_id"], event["status"]) == ("idle", "ended")
    assert event["correlation_id"] == scheduled_run(scheduler_call(), FixedClock(now)).correlation_id


def test_the_purge_deletes_only_sessions_ended_before_the_retention(
    function_environment: dict[str, str], firestore_client: Any
) -> None:
    store = FirestoreSessionStore(DATABASE, firestore_client)
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    store.save(session("old", seen=long_ago, ended=long_ago))
    store.save(session("recent", seen=now - timedelta(days=1), ended=now - timedelta(days=1)))
    store.save(session("old-but-active", seen=long_ago))

    response = function_client("retention_purge").post("/", headers=scheduler_call())

    assert response.status_code == 200, response.get_data(as_text=True)
    assert (response.get_json()["purged"], response.get_json()["complete"]) == (1, True)
    assert [store.get(name) is None for name in ("old", "recent", "old-but-active")] == [True, False, False]
