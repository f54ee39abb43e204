"""A queue-triggered function hosted as the Functions host runs it, on Azurite (Core Tools cannot install).

The host's queue trigger, as far as a worker's retries and poison messages go: receive a batch (hidden
from other receivers while it runs), call the function with each message's text, delete a message on
success; on failure leave it, to reappear after host.json's `visibilityTimeout`; a message that failed
on its `maxDequeueCount`-th receive moves to `<queue>-poison` (created when first needed, as the host
does). The settings are read from the project's host.json, the file the function apps are deployed with.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client
from {{ cookiecutter.package_name }}.observability import get_logger
from tools.azure.event_grid import queue_exists

if TYPE_CHECKING:
    from azure.storage.queue import QueueClient

HOST_JSON = Path(__file__).resolve().parents[2] / "host.json"
# How long a received message stays hidden while its function runs (the host renews it while running).
RUNNING_SECONDS = 60


@dataclass(frozen=True)
class QueueSettings:
    """host.json's `extensions.queues`: receives before the poison queue, seconds between retries, batch."""

    max_dequeue_count: int
    visibility_timeout: float
    batch_size: int


def queue_settings(host_json: Path = HOST_JSON) -> QueueSettings:
    """The queue trigger's settings as host.json gives them (the host's defaults where it gives none)."""
    queues = json.loads(host_json.read_text(encoding="utf-8")).get("extensions", {}).get("queues", {})
    hours, minutes, seconds = (
        float(part) for part in str(queues.get("visibilityTimeout", "00:00:00")).split(":")
    )
    return QueueSettings(
        max_dequeue_count=int(queues.get("maxDequeueCount", 5)),
        visibility_timeout=hours * 3600 + minutes * 60 + seconds,
        batch_size=int(queues.get("batchSize", 16)),
    )


@dataclass
class Deliveries:
    """What a host did: messages the function took, failures (each a receive), messages poisoned."""

    processed: int = 0
    failures: int = 0
    poisoned: list[str] = field(default_factory=list)


class QueueHost:
    """One queue-triggered function on one queue, driven until its queue is empty."""

    def __init__(
        self,
        connection_string: str,
        queue: str,
        function: Callable[[str], None],
        settings: QueueSettings | None = None,
    ) -> None:
        self.settings = settings or queue_settings()
        self.function = function
        self.queue: QueueClient = queue_client(queue, connection_string=connection_string)
        self.poison: QueueClient = queue_client(f"{queue}-poison", connection_string=connection_string)
        self.deliveries = Deliveries()

    def poll(self) -> int:
        """One receive of up to a batch: each message run once. How many messages were received."""
        received = list(
            self.queue.receive_messages(
                messages_per_page=self.settings.batch_size,
                visibility_timeout=RUNNING_SECONDS,
                max_messages=self.settings.batch_size,
            )
        )
        for message in received:
            try:
                self.function(message.content)
            except Exception:  # a failing function never stops the host: the message is retried
                self._failed(message)
                continue
            self.queue.delete_message(message)
            self.deliveries.processed += 1
        return len(received)

    def drain(self, *, timeout: float = 60.0) -> Deliveries:
        """Poll until no message is left, visible or waiting for a retry; TimeoutError after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            if self.poll() == 0:
                if self.queue.get_queue_properties().approximate_message_count == 0:
                    return self.deliveries
                time.sleep(min(0.2, max(self.settings.visibility_timeout, 0.05)))
            if time.monotonic() > deadline:
                raise TimeoutError(f"queue {self.queue.queue_name} not empty after {timeout:.0f} s")

    def _failed(self, message: object) -> None:
        from azure.storage.queue import QueueMessage

        assert isinstance(message, QueueMessage)
        self.deliveries.failures += 1
        if message.dequeue_count is not None and message.dequeue_count >= self.settings.max_dequeue_count:
            if not queue_exists(self.poison):
                self.poison.create_queue()
            self.poison.send_message(message.content)
            self.queue.delete_message(message)
            self.deliveries.poisoned.append(message.content)
            get_logger().error(
                "message moved to the poison queue",
                extra={"queue": f"{self.queue.queue_name}-poison", "dequeue_count": message.dequeue_count},
            )
            return
        # Left to reappear after the retry delay, as the host does (its visibilityTimeout).
        self.queue.update_message(message, visibility_timeout=int(self.settings.visibility_timeout))
