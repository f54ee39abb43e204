"""The Azure project's test fixtures: one Azurite per test session, and fresh tables on it.

Loaded by tests/conftest.py by its name (an Azure file: a project on another cloud has its own
fixtures_<provider>.py instead). Azurite starts once per test session, and only if a test asks for it
(tests/azure/azurite.py); each test that uses a table gets a fresh, uniquely named one. The Azure SDK is
imported inside the fixtures: the project's main environment may not have it (requirements-azure.txt),
and then the tests that need it skip, saying so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.azure.azurite import Azurite, azurite, azurite_script

# Each HTTP request a client sends, as (method, last path segment): what the request-counting tests read.
RequestLog = list[tuple[str, str]]


def operations_of(requests: RequestLog) -> list[str]:
    """The requests as Table Storage operations: a query, a point read, a write, a transaction."""
    named = []
    for method, path in requests:
        if method == "GET":
            named.append("query" if path.endswith("()") else "point read")
        else:
            named.append("transaction" if path == "$batch" else "write")
    return named


@pytest.fixture(scope="session")
def azure_storage() -> Iterator[Azurite]:
    """Azurite for the whole session: Tables, Queues and Blobs in memory."""
    script = azurite_script()
    if script is None:
        pytest.skip(
            "Azurite is not installed: run `npm ci` in tools/azurite, or set AZURITE (its azurite.js)"
        )
    with azurite(script) as running:
        yield running


@pytest.fixture
def table_factory(azure_storage: Azurite) -> Iterator[Callable[..., Any]]:
    """Makes a client of a fresh, uniquely named table (deleted after the test), or of the table `name`.

    `requests`: where the client logs each request it sends.
    """
    tables = pytest.importorskip(
        "azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)"
    )
    service = tables.TableServiceClient.from_connection_string(azure_storage.connection_string)
    made: list[str] = []

    def make(requests: RequestLog | None = None, *, name: str | None = None) -> Any:
        if name is None:
            name = f"t{uuid.uuid4().hex[:20]}"
            service.create_table(name)
            made.append(name)
        hooks: dict[str, Any] = {}
        if requests is not None:
            hooks["raw_request_hook"] = lambda request: requests.append(
                (request.http_request.method, request.http_request.url.split("?")[0].rsplit("/", 1)[-1])
            )
        return tables.TableClient.from_connection_string(
            azure_storage.connection_string, table_name=name, **hooks
        )

    yield make
    for name in made:
        service.delete_table(name)


@pytest.fixture
def queue_factory(azure_storage: Azurite) -> Iterator[Callable[[], str]]:
    """Makes a fresh, uniquely named queue on Azurite and returns its name (deleted after the test, with
    the `-poison` queue a queue host may have made beside it)."""
    queues = pytest.importorskip(
        "azure.storage.queue", reason="azure-storage-queue is not installed (requirements-azure.txt)"
    )
    service = queues.QueueServiceClient.from_connection_string(azure_storage.connection_string)
    made: list[str] = []

    def make() -> str:
        name = f"q{uuid.uuid4().hex[:20]}"
        service.create_queue(name)
        made.append(name)
        return name

    yield make
    existing = {queue.name for queue in service.list_queues()}
    for name in made:
        for queue in (name, f"{name}-poison"):
            if queue in existing:
                service.delete_queue(queue)
