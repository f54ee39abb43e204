"""boto3 clients created on first use, shared by the AWS adapters."""

from __future__ import annotations

import threading
from typing import Any


class LazyClient:
    """A boto3 client for one service, created on first use (or the one passed in, in tests).

    boto3 itself is imported then too: importing a handler stays cheap, which keeps cold starts short.
    """

    def __init__(self, service: str, client: Any | None = None) -> None:
        self.service = service
        self._client = client
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The client, created once per process and thread-safe."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3

                    self._client = boto3.client(self.service)
        return self._client
