"""The audit trail's real archive on AWS for the shared contract suite: S3 on the moto server.

tests/contract/test_audit_log_contract.py runs its archive tests against the in-memory archive and against
`real_audit_archive`; each cloud with an adapter for the AuditArchive port supplies it in its
fixtures_<provider>_audit_archive.py (the log's fixtures are in fixtures_<provider>_audit.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.audit import create_archive_bucket
from tests.support.region import REGION

from {{ cookiecutter.package_name }}.adapters.s3 import S3AuditArchive
from {{ cookiecutter.package_name }}.ports import AuditArchive


@pytest.fixture
def real_audit_archive(s3_client: Any) -> AuditArchive:
    """The S3 archive in a fresh bucket locked like the stack's (Object Lock, compliance mode)."""
    return S3AuditArchive(create_archive_bucket(s3_client, REGION), s3_client)
