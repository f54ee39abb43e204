"""The alerts of infra/monitoring.tf count the lines the code really writes when what they watch happens.

A log-based metric whose filter names a field or a text no line carries never counts, and its alert
never fires, silently. Each test makes the event happen in the deployed logger's JSON lines and checks
the metric's filter counts that line, and no line of the run where nothing happened. The reconciliation
alert's test is with the ledger jobs' (test_ledger_jobs_functions.py).
"""

from __future__ import annotations

import json
import re

import pytest
from tests.gcp.log_filters import MONITORING, counts, log_metric_filters, payload_terms
from tests.support.alert_lines import audit_chain_runs, use_deployed_logger


def test_every_log_metric_has_a_filter_this_check_reads() -> None:
    declared = re.findall(r'^resource "google_logging_metric" "(\w+)"', MONITORING.read_text(), re.MULTILINE)
    filters = log_metric_filters()

    assert sorted(filters) == sorted(declared)
    assert "audit_chain_breaks" in filters
    for log_filter in filters.values():
        payload_terms(log_filter)  # a term of a shape this check cannot read fails here


def test_a_broken_chain_is_counted_by_the_chain_break_alerts_metric(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_deployed_logger(monkeypatch)
    chain_breaks = log_metric_filters()["audit_chain_breaks"]

    intact, broken = audit_chain_runs(capsys)

    assert intact
    assert not any(counts(chain_breaks, json.loads(line)) for line in intact)
    assert [json.loads(line)["message"] for line in broken if counts(chain_breaks, json.loads(line))] == [
        "audit chain broken"
    ]
