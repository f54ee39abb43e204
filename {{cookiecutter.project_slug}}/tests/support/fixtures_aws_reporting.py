"""Reporting's real stores on AWS for the shared contract suite: DynamoDB and S3 on the moto server.

tests/contract/test_reporting_store_contract.py runs every test against the in-memory stores and against
`real_ggr_totals_store` and `real_report_writer`; each cloud with adapters for the ports supplies them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from tests.support.region import REGION
from tests.support.tables import load_resources

from {{ cookiecutter.package_name }}.adapters.dynamodb_reporting import DynamoGgrTotalsStore
from {{ cookiecutter.package_name }}.adapters.s3_reporting import S3ReportWriter
from {{ cookiecutter.package_name }}.ports.reporting import GgrTotalsStore, ReportWriter


@pytest.fixture
def real_ggr_totals_store(aws_tables: dict[str, str]) -> GgrTotalsStore:
    """The DynamoDB totals on a fresh reporting table."""
    return DynamoGgrTotalsStore(aws_tables["ReportingTable"])


@pytest.fixture
def analytics_bucket(s3_client: Any) -> str:
    """A fresh bucket versioned like AnalyticsBucket in serverless.yml."""
    versioning = load_resources()["AnalyticsBucket"]["Properties"]["VersioningConfiguration"]
    name = f"analytics-{uuid.uuid4().hex[:12]}"
    extra = {} if REGION == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
    s3_client.create_bucket(Bucket=name, **extra)
    s3_client.put_bucket_versioning(Bucket=name, VersioningConfiguration=versioning)
    return name


@pytest.fixture
def real_report_writer(
    analytics_bucket: str, s3_client: Any
) -> tuple[ReportWriter, Callable[[str], bytes], Callable[[str], int]]:
    """The S3 writer in a fresh analytics bucket; an object's bytes; how many versions it has."""

    def stored(key: str) -> bytes:
        body: bytes = s3_client.get_object(Bucket=analytics_bucket, Key=key)["Body"].read()
        return body

    def versions(key: str) -> int:
        listed = s3_client.list_object_versions(Bucket=analytics_bucket, Prefix=key)
        return len(listed.get("Versions", []))

    return S3ReportWriter(analytics_bucket), stored, versions
