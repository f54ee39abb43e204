"""The audit trail's real archive on GCP for the shared contract suite: the local Cloud Storage server.

tests/contract/test_audit_log_contract.py runs its archive tests against the in-memory archive and against
`real_audit_archive`; each cloud with an adapter for the AuditArchive port supplies it in its
fixtures_<provider>_audit_archive.py (the log's fixtures are in fixtures_<provider>_audit.py).
fake-gcs-server keeps no retention policy: the archive's write-once rests here on `ifGenerationMatch=0`,
which it serves (tests/gcp/test_cloud_storage_server.py).
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.cloud_storage import (
    CloudStorageAuditArchive,
    CloudStorageBucket,
)
from {{ cookiecutter.package_name }}.ports import AuditArchive


@pytest.fixture
def real_audit_archive(storage_bucket: str, storage_environment: dict[str, str]) -> AuditArchive:
    """The Cloud Storage archive in a new versioned bucket (infra/main.tf's audit_archive, less its lock)."""
    return CloudStorageAuditArchive(CloudStorageBucket(storage_bucket, environ=storage_environment))
