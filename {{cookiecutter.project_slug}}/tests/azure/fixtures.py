"""The Azure tests' fixtures: one Azurite per test session, a fresh table per test.

Imported by name where they are used (the Azure tests also run with --noconftest, so they do not rely
on the project's shared conftest).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

tables = pytest.importorskip(
    "azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)"
)

from tests.azure.azurite import Azurite, azurite, azurite_script  # noqa: E402

# Each HTTP request a client sends, as (method, path): what the request-counting tests read.
RequestLog = list[tuple[str, str]]


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
    service = tables.TableServiceClient.from_connection_string(azure_storage.connection_string)
    made: list[str] = []

    def make(requests: RequestLog | None = None, *, name: str | None = None) -> Any:
        if name is None:
            name = f"wallet{uuid.uuid4().hex[:16]}"
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
