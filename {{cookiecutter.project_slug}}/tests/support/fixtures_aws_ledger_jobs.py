"""The ledger jobs' real stores on AWS for the shared contract suite: DynamoDB and S3 on the moto server.

tests/contract/test_ledger_jobs_store_contract.py runs every test against the in-memory scanner and sink
and against `real_wallet_scanner` and `real_export_store`; each cloud with adapters for the ports
supplies them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_ledger_jobs import DynamoWalletScanner
from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.s3_exports import S3ExportSink
from {{ cookiecutter.package_name }}.ports.ledger_jobs import ExportSink, WalletScanner
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore


@pytest.fixture
def real_wallet_scanner(aws_tables: dict[str, str]) -> tuple[WalletScanner, LedgerStore]:
    """The DynamoDB scanner and the ledger store it reads, on one fresh wallet table."""
    return DynamoWalletScanner(aws_tables["WalletTable"]), DynamoLedgerStore(aws_tables["WalletTable"])


@pytest.fixture
def export_bucket(moto_server: object) -> Iterator[tuple[Any, str]]:
    """A fresh versioned bucket on the moto server; emptied and removed afterwards."""
    s3 = boto3.client("s3")
    name = f"exports-{uuid.uuid4().hex[:12]}"
    region = s3.meta.region_name
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield s3, name
    versions = s3.list_object_versions(Bucket=name)
    for version in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        s3.delete_object(Bucket=name, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def real_export_store(export_bucket: tuple[Any, str]) -> tuple[ExportSink, Callable[[str], bytes | None]]:
    """The S3 sink and a way to read what it stored under a key (None: nothing)."""
    s3, bucket = export_bucket

    def read(key: str) -> bytes | None:
        try:
            body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        return body

    return S3ExportSink(bucket, s3), read
