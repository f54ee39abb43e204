"""Reporting's steps on the AWS local run: the totals table and the analytics bucket on the moto server."""

from __future__ import annotations

from typing import Any

from {{ cookiecutter.package_name }}.adapters.dynamodb_reporting import DynamoGgrTotalsStore
from {{ cookiecutter.package_name }}.adapters.s3_reporting import S3ReportWriter
from {{ cookiecutter.package_name }}.ports.reporting import GgrTotalsStore, ReportWriter
from {{ cookiecutter.package_name }}.settings_reporting import ReportingSettings


def totals_store(run: Any) -> GgrTotalsStore:
    """The DynamoDB totals the ggrTotals worker of `run` counted."""
    settings = ReportingSettings.from_env(run.api_environment())
    return DynamoGgrTotalsStore(settings.reporting_table_name, client=run.client("dynamodb"))


def report_writer(run: Any) -> ReportWriter:
    """The S3 writer of the daily report, into the analytics bucket of `run`."""
    settings = ReportingSettings.from_env(run.api_environment())
    return S3ReportWriter(settings.analytics_bucket_name, client=run.client("s3"))
