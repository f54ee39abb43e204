"""SSM Parameter Store adapter: SecureString secrets read at run time, cached, never in env vars.

The function's environment holds only the parameter's NAME; its IAM role may read that one parameter
(ssm:GetParameter on its ARN) and decrypt with the stack's key. The value is fetched on first use and
kept for `max_age_seconds`, so a rotated secret is picked up without a deployment and a warm function
does not call SSM on every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .aws_clients import LazyClient

DEFAULT_MAX_AGE_SECONDS = 300.0


class SecretUnavailable(RuntimeError):
    """The parameter does not exist (or is empty): create it as the docs describe."""


class SecureParameter:
    """One SecureString parameter, decrypted and cached."""

    def __init__(
        self,
        name: str,
        *,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
        client: Any | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._max_age = max_age_seconds
        self._client = LazyClient("ssm", client)
        self._monotonic = monotonic
        self._value: str | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        return self._client.get()

    def value(self) -> str:
        """The decrypted value, from the cache while it is younger than max_age_seconds."""
        with self._lock:
            now = self._monotonic()
            if self._value is None or now - self._fetched_at >= self._max_age:
                self._value = self._fetch()
                self._fetched_at = now
            return self._value

    def _fetch(self) -> str:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_parameter(Name=self.name, WithDecryption=True)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ParameterNotFound":
                raise SecretUnavailable(f"SSM parameter {self.name} does not exist") from None
            raise
        value: str = response["Parameter"]["Value"]
        if not value:
            raise SecretUnavailable(f"SSM parameter {self.name} is empty")
        return value
