"""The alerts of infra/monitoring.tf count the lines the code really writes when what they watch happens.

An alert whose query looks for a text no line carries never fires, silently. Each test makes the event
happen in the deployed logger's JSON lines and checks the alert's query counts that line, and no line of
the run where nothing happened. The reconciliation alert's test is with the ledger jobs'
(test_ledger_jobs_functions.py).
"""

from __future__ import annotations

import re

import pytest
from tests.azure.log_queries import MONITORING, alert_queries, counts
from tests.support.alert_lines import audit_chain_runs, use_deployed_logger


def test_every_alert_has_a_query_this_check_reads() -> None:
    text = MONITORING.read_text(encoding="utf-8")
    block = text[text.index("  alerts = {") :]

    assert sorted(alert_queries()) == sorted(re.findall(r"^    ([\w-]+) = \{", block, re.MULTILINE))
    assert "audit-chain-break" in alert_queries()


def test_a_broken_chain_is_counted_by_the_chain_break_alert(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_deployed_logger(monkeypatch)
    chain_break = alert_queries()["audit-chain-break"]

    intact, broken = audit_chain_runs(capsys)

    assert intact
    assert not any(counts(chain_break, line) for line in intact)
    assert len([line for line in broken if counts(chain_break, line)]) == 1
