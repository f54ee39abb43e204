"""The ledger jobs' real stores on Azure for the shared contract suite: Table Storage and Blob Storage on
Azurite.

tests/contract/test_ledger_jobs_store_contract.py runs every test against the in-memory scanner and sink
and against `real_wallet_scanner` and `real_export_store`; each cloud with adapters for the ports
supplies them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.azure.azurite import Azurite

from {{ cookiecutter.package_name }}.ports.ledger_jobs import ExportSink, WalletScanner
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore


@pytest.fixture
def real_wallet_scanner(table_factory: Callable[..., Any]) -> tuple[WalletScanner, LedgerStore]:
    """The Table Storage scanner and the ledger store it reads, on one fresh Wallet table."""
    from {{ cookiecutter.package_name }}.adapters.table_ledger_jobs import TableWalletScanner
    from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore

    table = table_factory()
    return TableWalletScanner(table), TableLedgerStore(table)


@pytest.fixture
def export_container(azure_storage: Azurite) -> Iterator[Any]:
    """A fresh container on Azurite (deleted after the test)."""
    blobs = pytest.importorskip(
        "azure.storage.blob", reason="azure-storage-blob is not installed (requirements-azure.txt)"
    )
    service = blobs.BlobServiceClient.from_connection_string(azure_storage.connection_string)
    container = service.create_container(f"exports-{uuid.uuid4().hex[:12]}")
    yield container
    container.delete_container()


@pytest.fixture
def real_export_store(export_container: Any) -> tuple[ExportSink, Callable[[str], bytes | None]]:
    """The Blob Storage sink and a way to read what it stored under a key (None: nothing)."""
    from azure.core.exceptions import ResourceNotFoundError

    from {{ cookiecutter.package_name }}.adapters.blob_exports import BlobExportSink

    def read(key: str) -> bytes | None:
        try:
            body: bytes = export_container.download_blob(key).readall()
        except ResourceNotFoundError:
            return None
        return body

    # Small blocks, so the suite's exports are staged in several blocks as a day's would be.
    return BlobExportSink(export_container, block_size=8), read
