"""Counts a Firestore client's requests to the server, by name: what an operation costs, in a test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

# The Firestore API's calls that go to the server, as the client library names them.
COUNTED = (
    "batch_get_documents",
    "get_document",
    "begin_transaction",
    "commit",
    "rollback",
    "run_query",
    "run_aggregation_query",
)

T = TypeVar("T")


class Requests:
    """Counts the client's calls to the server, by name, for what runs inside `of`."""

    def __init__(self, client: Any) -> None:
        self.calls: list[str] = []
        api = client._firestore_api  # the generated API client every request of this client goes through
        for name in COUNTED:
            setattr(api, name, self._counting(name, getattr(api, name)))

    def _counting(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return original(*args, **kwargs)

        return call

    def of(self, operation: Callable[[], T]) -> tuple[T, list[str]]:
        """What `operation` returned, and the requests it made."""
        start = len(self.calls)
        result = operation()
        return result, self.calls[start:]
