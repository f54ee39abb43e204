"""The ledger jobs' real stores on GCP for the shared contract suite: Firestore on its emulator, and the
exports bucket on the local Cloud Storage server (fake-gcs-server, tools/gcp/emulators.py).

tests/contract/test_ledger_jobs_store_contract.py runs every test against the in-memory scanner and sink
and against `real_wallet_scanner` and `real_export_store`; each cloud with adapters for the ports
supplies them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.cloud_storage import (
    CloudStorageBucket,
    CloudStorageExportSink,
)
from {{ cookiecutter.package_name }}.adapters.firestore_ledger_jobs import FirestoreWalletScanner
from {{ cookiecutter.package_name }}.adapters.firestore_wallet import FirestoreLedgerStore
from {{ cookiecutter.package_name }}.ports.ledger_jobs import ExportSink, WalletScanner
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore


@pytest.fixture
def real_wallet_scanner(firestore_client: Any) -> tuple[WalletScanner, LedgerStore]:
    """The Firestore scanner and the ledger store it reads, on an empty database."""
    return FirestoreWalletScanner(firestore_client), FirestoreLedgerStore(DATABASE, firestore_client)


@pytest.fixture
def real_export_store(
    storage_bucket: str, storage_environment: dict[str, str]
) -> tuple[ExportSink, Callable[[str], bytes | None]]:
    """The Cloud Storage sink in a new versioned bucket, and a way to read what it stored under a key."""
    bucket = CloudStorageBucket(storage_bucket, environ=storage_environment)
    return CloudStorageExportSink(bucket), bucket.read
