"""Event Grid on Azurite: the topic's subscriptions delivering straight onto the worker queues.

Azurite has no Event Grid. In the tests and the local run, this publisher does what the custom topic's
Storage Queue subscriptions do in Azure: each event, as the CloudEvent the topic delivers
(adapters/event_grid.py), goes onto the queue of every worker whose subscription takes its type. The
subscriptions are read from the same place the Terraform reads them: each function app's `functions` map
(infra/functions.tf and infra/modules/<module>/main.tf: queue `<app>-<function key in lower case>`,
`event_types` its filter, `["*"]` every type; blocks/function_app names the queues and creates the
subscriptions from it).
Event Grid's own retries and its dead-letter container are not imitated: a send to Azurite that fails
raises, as the topic's refusal would reach the relay.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from {{ cookiecutter.package_name }}.adapters.event_grid import cloud_event
from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client

if TYPE_CHECKING:
    from azure.storage.queue import QueueClient

    from {{ cookiecutter.package_name }}.domain.events import DomainEvent

INFRA = Path(__file__).resolve().parents[2] / "infra"
# A subscription's event types that take every type of the topic (blocks/function_app: no filter).
EVERY_TYPE = "*"
_APP = re.compile(r'^\s*app\s*=\s*"(?P<app>[a-z0-9-]+)"')
_QUEUE_FUNCTION = re.compile(
    r'^\s*(?P<key>\w+)\s*=\s*\{[^}]*trigger\s*=\s*"queue"[^}]*event_types\s*=\s*(?P<types>\[[^\]]*\])'
)


def subscriptions(infra: Path = INFRA) -> dict[str, frozenset[str]]:
    """Each worker queue fed by the topic, with the event types its subscription takes."""
    found: dict[str, frozenset[str]] = {}
    for module in [*sorted(infra.glob("*.tf")), *sorted(infra.glob("modules/*/main.tf"))]:
        app = None
        for line in module.read_text(encoding="utf-8").splitlines():
            named = _APP.match(line)
            if named:
                app = named["app"]
                continue
            function = _QUEUE_FUNCTION.match(line)
            types = frozenset(json.loads(function["types"])) if function else frozenset()
            if function and app is not None and types:  # no type, no subscription (as in the block)
                found[f"{app}-{function['key'].lower()}"] = types
    return found


class LocalEventGrid:
    """Publishes events onto the worker queues on Azurite, filtered by the subscriptions' event types."""

    def __init__(self, connection_string: str, routes: dict[str, frozenset[str]] | None = None) -> None:
        self.routes = subscriptions() if routes is None else routes
        self.queues: dict[str, QueueClient] = {}
        for name in self.routes:
            queue = queue_client(name, connection_string=connection_string)
            if not queue_exists(queue):
                queue.create_queue()
            self.queues[name] = queue

    def publish(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            body = json.dumps(cloud_event(event))
            for name, types in self.routes.items():
                if event.name in types or EVERY_TYPE in types:
                    self.queues[name].send_message(body)


def queue_exists(queue: QueueClient) -> bool:
    from azure.core.exceptions import ResourceNotFoundError

    try:
        queue.get_queue_properties()
    except ResourceNotFoundError:
        return False
    return True
