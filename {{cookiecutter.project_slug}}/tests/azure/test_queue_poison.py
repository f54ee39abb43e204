"""A worker's queue on Azurite, hosted as the Functions host does it: a malformed message is poisoned.

The host (tools/azure/queue_host.py) calls the worker once per receive, deletes on success, and after
host.json's maxDequeueCount failed receives moves the message to `<queue>-poison`; the retry delay
(host.json's visibilityTimeout) is cut to nothing here so the retries run at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "azure.storage.queue", reason="azure-storage-queue is not installed (requirements-azure.txt)"
)

from tests.azure.azurite import Azurite
from tools.azure.event_grid import LocalEventGrid
from tools.azure.queue_host import HOST_JSON, QueueHost, queue_settings

from {{ cookiecutter.package_name }}.adapters.event_grid import event_from_delivery
from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client
from {{ cookiecutter.package_name }}.domain.events import DomainEvent

AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def bet(number: int) -> DomainEvent:
    return DomainEvent(
        name="BetPlaced",
        source="{{ cookiecutter.package_name }}.wallet",
        detail={"player_id": "player-a", "transaction_id": f"bet-{number}", "amount": 100},
        correlation_id=f"c-{number}",
        occurred_at=AT,
    )


def test_host_json_sets_five_receives_before_the_poison_queue() -> None:
    settings = queue_settings()
    written = json.loads(Path(HOST_JSON).read_text(encoding="utf-8"))["extensions"]["queues"]

    assert settings.max_dequeue_count == written["maxDequeueCount"] == 5
    assert written["messageEncoding"] == "base64"  # what the local delivery and the dead letters send


def test_a_malformed_message_is_poisoned_after_its_retries_and_the_others_are_processed_once(
    azure_storage: Azurite, queue_factory: Callable[[], str]
) -> None:
    name = queue_factory()
    grid = LocalEventGrid(azure_storage.connection_string, {name: frozenset(["BetPlaced"])})
    queue = queue_client(name, connection_string=azure_storage.connection_string)
    grid.publish([bet(1), bet(2)])
    queue.send_message("{not an event")  # malformed, between good ones
    grid.publish([bet(3), bet(4), bet(5)])
    processed: list[str] = []
    attempts: dict[str, int] = {}

    def worker(body: str) -> None:
        attempts[body] = attempts.get(body, 0) + 1
        processed.append(event_from_delivery(body).detail["transaction_id"])

    settings = replace(queue_settings(), visibility_timeout=0)
    deliveries = QueueHost(azure_storage.connection_string, name, worker, settings).drain(timeout=30)

    assert sorted(processed) == [f"bet-{number}" for number in range(1, 6)]  # each good one once
    assert attempts["{not an event"] == settings.max_dequeue_count == 5
    assert (deliveries.processed, deliveries.failures) == (5, 5)
    poison = queue_client(f"{name}-poison", connection_string=azure_storage.connection_string)
    assert [message.content for message in poison.receive_messages()] == ["{not an event"]
    assert queue.get_queue_properties().approximate_message_count == 0


def test_a_failing_message_is_retried_after_the_visibility_timeout_not_before(
    azure_storage: Azurite, queue_factory: Callable[[], str]
) -> None:
    name = queue_factory()
    queue = queue_client(name, connection_string=azure_storage.connection_string)
    queue.send_message("{not an event")
    calls: list[Any] = []

    def worker(body: str) -> None:
        calls.append(body)
        event_from_delivery(body)

    host = QueueHost(
        azure_storage.connection_string, name, worker, replace(queue_settings(), visibility_timeout=30)
    )
    host.poll()
    host.poll()

    assert len(calls) == 1  # hidden for its retry delay
    assert host.deliveries.poisoned == []
