"""The ledger jobs' real stores on GCP for the shared contract suite: Firestore on its emulator.

tests/contract/test_ledger_jobs_store_contract.py runs every test against the in-memory scanner and sink
and against `real_wallet_scanner` (and `real_export_store` where a local server of the cloud's object
store exists: none serves Cloud Storage here, so the exports bucket's adapter is tested on recorded
answers, tests/gcp/test_cloud_storage.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_ledger_jobs import FirestoreWalletScanner
from {{ cookiecutter.package_name }}.adapters.firestore_wallet import FirestoreLedgerStore
from {{ cookiecutter.package_name }}.ports.ledger_jobs import WalletScanner
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore


@pytest.fixture
def real_wallet_scanner(firestore_client: Any) -> tuple[WalletScanner, LedgerStore]:
    """The Firestore scanner and the ledger store it reads, on an empty database."""
    return FirestoreWalletScanner(firestore_client), FirestoreLedgerStore(DATABASE, firestore_client)
