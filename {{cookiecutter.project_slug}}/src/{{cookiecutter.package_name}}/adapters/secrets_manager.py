"""AWS Secrets Manager adapter: a secret's current and previous values, read at run time and cached.

The function's environment holds only the secret's id; its IAM role may read that one secret. Both
versions are kept for `max_age_seconds`: during a rotation (docs/networking.md) the new value is
AWSCURRENT and the old one AWSPREVIOUS, and a request carrying either is accepted, so nothing is
refused while CloudFront moves from one to the other.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .aws_clients import LazyClient

DEFAULT_MAX_AGE_SECONDS = 300.0


class SecretUnavailable(RuntimeError):
    """The secret does not exist or has no current value: deploy the stack that makes it."""


class SecretVersions:
    """The AWSCURRENT and (when there is one) AWSPREVIOUS values of one secret, cached."""

    def __init__(
        self,
        secret_id: str,
        *,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
        client: Any | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.secret_id = secret_id
        self._max_age = max_age_seconds
        self._client = LazyClient("secretsmanager", client)
        self._monotonic = monotonic
        self._values: tuple[str, ...] | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        return self._client.get()

    def values(self) -> tuple[str, ...]:
        """The current value, then the previous one if any, from the cache while it is fresh."""
        with self._lock:
            now = self._monotonic()
            if self._values is None or now - self._fetched_at >= self._max_age:
                self._values = self._fetch()
                self._fetched_at = now
            return self._values

    def _fetch(self) -> tuple[str, ...]:
        current = self._version("AWSCURRENT")
        if current is None:
            raise SecretUnavailable(f"secret {self.secret_id} does not exist or has no current value")
        previous = self._version("AWSPREVIOUS")
        return (current,) if previous is None else (current, previous)

    def _version(self, stage: str) -> str | None:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_secret_value(SecretId=self.secret_id, VersionStage=stage)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None
            raise
        value: str = response.get("SecretString") or ""
        return value or None
