"""Reporting's steps on the Azure local run: the Reporting table and the reports container on Azurite."""

from __future__ import annotations

from typing import Any

from {{ cookiecutter.package_name }}.adapters.blob_reporting import BlobReportWriter
from {{ cookiecutter.package_name }}.adapters.table_reporting import TableGgrTotalsStore
from {{ cookiecutter.package_name }}.ports.reporting import GgrTotalsStore, ReportWriter


def totals_store(run: Any) -> GgrTotalsStore:
    """The Table Storage totals the ggrTotals function of `run` counted (its app's REPORTING_TABLE_NAME)."""
    table = run.worker_environment("ggrTotals")["REPORTING_TABLE_NAME"]
    return TableGgrTotalsStore(run.client("table").get_table_client(table))


def report_writer(run: Any) -> ReportWriter:
    """The writer of the daily report, into the reports container of `run` (the app's REPORTS_CONTAINER)."""
    container = run.worker_environment("dailyReport")["REPORTS_CONTAINER"]
    return BlobReportWriter(run.client("blob").get_container_client(container))
