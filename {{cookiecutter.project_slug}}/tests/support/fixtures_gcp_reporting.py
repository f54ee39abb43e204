"""Reporting's real store on GCP for the shared contract suite: Firestore on its emulator.

tests/contract/test_reporting_store_contract.py runs every test against the in-memory stores and against
`real_ggr_totals_store` (and `real_report_writer` where a local server of the cloud's object store exists:
none serves Cloud Storage here, so the reports' writer is tested on recorded answers,
tests/gcp/test_reporting_functions.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from {{ cookiecutter.package_name }}.adapters.firestore_reporting import FirestoreGgrTotalsStore
from {{ cookiecutter.package_name }}.ports.reporting import GgrTotalsStore


@pytest.fixture
def real_ggr_totals_store(firestore_client: Any) -> GgrTotalsStore:
    """The Firestore totals on an empty database."""
    return FirestoreGgrTotalsStore(firestore_client)
