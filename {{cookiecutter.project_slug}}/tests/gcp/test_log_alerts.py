"""The alerts of infra/monitoring.tf count the lines the code really writes when what they watch happens.

A log-based metric whose filter names a field or a text no line carries never counts, and its alert
never fires, silently. Each test here makes the event happen in the deployed logger's JSON lines and
checks the metric's filter counts that line, and no line of the run where nothing happened.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from tests.gcp.log_filters import MONITORING, counts, log_lines, log_metric_filters, payload_terms

from {{ cookiecutter.package_name }} import observability
from {{ cookiecutter.package_name }}.adapters.memory import (
    FixedClock,
    InMemoryAuditArchive,
    InMemoryAuditLog,
)
from {{ cookiecutter.package_name }}.domain.audit import AuditEvent, AuditTrail
from {{ cookiecutter.package_name }}.workers.audit import AuditChainBroken, verify_chain

RECORDED_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """The logger a deployed function has (no Powertools in the GCP runtime lock): JSON lines on stdout."""
    monkeypatch.setattr(observability, "_logger", observability.JsonLinesLogger("casino", "INFO"))


def bet(number: int) -> AuditEvent:
    return AuditEvent(
        event_id=f"event-{number}",
        name="BetPlaced",
        source="casino.wallet",
        occurred_at="2030-01-01T12:00:00+00:00",
        correlation_id=f"round-{number}",
        detail={"player_id": "player-1", "transaction_id": f"bet-{number}", "amount": 100},
    )


def test_every_log_metric_has_a_filter_this_check_reads() -> None:
    declared = re.findall(r'^resource "google_logging_metric" "(\w+)"', MONITORING.read_text(), re.MULTILINE)
    filters = log_metric_filters()

    assert sorted(filters) == sorted(declared)
    assert "audit_chain_breaks" in filters
    for log_filter in filters.values():
        payload_terms(log_filter)  # a term of a shape this check cannot read fails here


def test_a_broken_chain_is_counted_by_the_chain_break_alerts_metric(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log, archive = InMemoryAuditLog(), InMemoryAuditArchive()
    trail = AuditTrail(log, archive, FixedClock(RECORDED_AT))
    trail.record([bet(1), bet(2), bet(3)])
    chain_breaks = log_metric_filters()["audit_chain_breaks"]

    verify_chain(trail, archive)
    intact = log_lines(capsys.readouterr().out)
    log.chain[1] = replace(log.chain[1], correlation_id="someone-else")
    with pytest.raises(AuditChainBroken):
        verify_chain(trail, archive)
    broken = log_lines(capsys.readouterr().out)

    assert intact
    assert not any(counts(chain_breaks, line) for line in intact)
    assert [line["message"] for line in broken if counts(chain_breaks, line)] == ["audit chain broken"]
