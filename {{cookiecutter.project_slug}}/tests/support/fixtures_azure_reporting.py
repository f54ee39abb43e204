"""Reporting's real stores on Azure for the shared contract suite: Table Storage and Blob Storage on Azurite.

tests/contract/test_reporting_store_contract.py runs every test against the in-memory stores and against
`real_ggr_totals_store` and `real_report_writer`; each cloud with adapters for the ports supplies them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from tests.azure.azurite import Azurite

from {{ cookiecutter.package_name }}.ports.reporting import GgrTotalsStore, ReportWriter


@pytest.fixture
def real_ggr_totals_store(table_factory: Callable[..., Any]) -> GgrTotalsStore:
    """The Table Storage totals on a fresh table."""
    from {{ cookiecutter.package_name }}.adapters.table_reporting import TableGgrTotalsStore

    return TableGgrTotalsStore(table_factory())


@pytest.fixture
def real_report_writer(
    azure_storage: Azurite,
) -> Iterator[tuple[ReportWriter, Callable[[str], bytes], Callable[[str], int]]]:
    """The Blob Storage writer in a fresh container; a blob's bytes; how many times it was uploaded.

    Azurite keeps no blob versions: the uploads are counted from the requests the writer's client sends
    (each Put Blob of a key).
    """
    blobs = pytest.importorskip(
        "azure.storage.blob", reason="azure-storage-blob is not installed (requirements-azure.txt)"
    )
    from {{ cookiecutter.package_name }}.adapters.blob_reporting import BlobReportWriter

    uploads: list[str] = []

    def log(request: Any) -> None:
        if request.http_request.method == "PUT":
            uploads.append(unquote(urlsplit(request.http_request.url).path))

    name = f"reports-{uuid.uuid4().hex[:12]}"
    service = blobs.BlobServiceClient.from_connection_string(azure_storage.connection_string)
    service.create_container(name)
    container = blobs.ContainerClient.from_connection_string(
        azure_storage.connection_string, container_name=name, raw_request_hook=log
    )

    def stored(key: str) -> bytes:
        body: bytes = container.download_blob(key).readall()
        return body

    def versions(key: str) -> int:
        return sum(1 for path in uploads if path.endswith(f"/{name}/{key}"))

    yield BlobReportWriter(container), stored, versions
    service.delete_container(name)
