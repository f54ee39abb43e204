"""Reporting's real stores on GCP for the shared contract suite: Firestore on its emulator, and the reports
bucket on the local Cloud Storage server (fake-gcs-server, tools/gcp/emulators.py).

tests/contract/test_reporting_store_contract.py runs every test against the in-memory stores and against
`real_ggr_totals_store` and `real_report_writer`; each cloud with adapters for the ports supplies them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.support.storage import object_versions

from {{ cookiecutter.package_name }}.adapters.cloud_storage import CloudStorageBucket
from {{ cookiecutter.package_name }}.adapters.cloud_storage_reporting import CloudStorageReportWriter
from {{ cookiecutter.package_name }}.adapters.firestore_reporting import FirestoreGgrTotalsStore
from {{ cookiecutter.package_name }}.ports.reporting import GgrTotalsStore, ReportWriter


@pytest.fixture
def real_ggr_totals_store(firestore_client: Any) -> GgrTotalsStore:
    """The Firestore totals on an empty database."""
    return FirestoreGgrTotalsStore(firestore_client)


@pytest.fixture
def real_report_writer(
    storage_bucket: str, storage_environment: dict[str, str]
) -> tuple[ReportWriter, Callable[[str], bytes], Callable[[str], int]]:
    """The Cloud Storage writer in a new versioned bucket; an object's bytes; how many generations it has."""
    bucket = CloudStorageBucket(storage_bucket, environ=storage_environment)

    def stored(key: str) -> bytes:
        body = bucket.read(key)
        if body is None:
            raise KeyError(key)
        return body

    def versions(key: str) -> int:
        return len(object_versions(storage_environment, storage_bucket, key))

    return CloudStorageReportWriter(bucket), stored, versions
