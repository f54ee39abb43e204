"""Reporting's AWS adapters' own records: the DynamoDB totals' expiring markers, the S3 reports' metadata.

The behaviour every adapter shares is tests/contract/test_reporting_store_contract.py; this file is AWS's.
"""

from __future__ import annotations

import time

import pytest
from tests.contract.test_reporting_store_contract import bet, report

from {{ cookiecutter.package_name }}.adapters.dynamodb_reporting import DynamoGgrTotalsStore
from {{ cookiecutter.package_name }}.adapters.s3_reporting import S3ReportWriter


@pytest.mark.integration
def test_counting_is_one_dynamodb_write_with_an_expiring_marker(aws_tables: dict[str, str]) -> None:
    totals = DynamoGgrTotalsStore(aws_tables["ReportingTable"])
    calls: list[str] = []
    totals.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

    totals.add(bet("bet-1", 100))

    assert calls == ["TransactWriteItems"]
    marker = totals.client.get_item(
        TableName=aws_tables["ReportingTable"], Key={"pk": {"S": "EVENT#bet-1"}, "sk": {"S": "EVENT"}}
    )["Item"]
    # Longer than the dead-letter queue keeps a message (14 days), so a redrive is still deduplicated.
    fifteen_days = 15 * 24 * 3600
    assert abs(int(marker["expires_at"]["N"]) - (time.time() + fifteen_days)) < 60


@pytest.mark.integration
def test_s3_reports_carry_their_content_type_and_digest(analytics_bucket: str) -> None:
    writer = S3ReportWriter(analytics_bucket)

    writer.write(report(1_000))

    head = writer.client.head_object(Bucket=analytics_bucket, Key="reports/ggr/date=2029-12-31/ggr.csv")
    assert head["ContentType"] == "text/csv"
    assert len(head["Metadata"]["sha256"]) == 64
