"""Reporting's steps on the GCP local run: the totals on the Firestore emulator's casino database, the
reports bucket on the local Cloud Storage server."""

from __future__ import annotations

from typing import Any

from {{ cookiecutter.package_name }}.adapters.cloud_storage import CloudStorageBucket
from {{ cookiecutter.package_name }}.adapters.cloud_storage_reporting import CloudStorageReportWriter
from {{ cookiecutter.package_name }}.adapters.firestore_reporting import FirestoreGgrTotalsStore
from {{ cookiecutter.package_name }}.ports.reporting import GgrTotalsStore, ReportWriter


def totals_store(run: Any) -> GgrTotalsStore:
    """The Firestore totals the ggrTotals function of `run` counted."""
    return FirestoreGgrTotalsStore(run.client("firestore"))


def report_writer(run: Any) -> ReportWriter:
    """The writer of the daily report, into the reports bucket of `run` (the dailyReport job's
    ANALYTICS_BUCKET_NAME), on the run's Cloud Storage server (the job's environment names it)."""
    environment = run.worker_environment("dailyReport")
    bucket = CloudStorageBucket(environment["ANALYTICS_BUCKET_NAME"], environ=environment)
    return CloudStorageReportWriter(bucket)
