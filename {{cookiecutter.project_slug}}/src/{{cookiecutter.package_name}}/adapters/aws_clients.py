"""boto3 clients created on first use, one per service per process, shared by the AWS adapters."""

from __future__ import annotations

import threading
from typing import Any

from ..observability import paused_collector

# One client per service for the whole process: boto3 clients are thread-safe, and each new client
# costs cold-start time (a worker with two DynamoDB adapters would otherwise build two).
_shared: dict[str, Any] = {}
_shared_lock = threading.Lock()


class LazyClient:
    """A boto3 client for one service, created on first use (or the one passed in, in tests).

    boto3 itself is imported then too: importing a handler stays cheap, which keeps cold starts short.
    """

    def __init__(self, service: str, client: Any | None = None) -> None:
        self.service = service
        self._client = client

    def get(self) -> Any:
        """The client: the one passed in, else the process's shared one for this service."""
        if self._client is None:
            self._client = shared_client(self.service)
        return self._client


def shared_client(service: str) -> Any:
    """The process's client for `service` (default session and region), created once, thread-safe."""
    client = _shared.get(service)
    if client is None:
        with _shared_lock:
            client = _shared.get(service)
            if client is None:
                with paused_collector():
                    import boto3

                    client = _shared[service] = boto3.client(service)
    return client
