"""A queue-triggered function driven as the Functions host drives it, on Azurite.

Its queue's messages are handed to the function one by one; a message it raises on is received again
until the host's `maxDequeueCount`, then moved to the poison queue (tools/azure/queue_host.py), with no
wait between receives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import azure.functions as func
from tools.azure.queue_host import Deliveries, QueueHost, queue_settings


def drain_as_host(
    connection_string: str, queue: str, function: Callable[[func.QueueMessage], None], timeout: float = 30
) -> Deliveries:
    """Deliver every message of `queue` to `function` as the host would, until the queue is empty."""
    host = QueueHost(
        connection_string,
        queue,
        lambda body: function(func.QueueMessage(body=body.encode())),
        replace(queue_settings(), visibility_timeout=0),
    )
    return host.drain(timeout=timeout)
