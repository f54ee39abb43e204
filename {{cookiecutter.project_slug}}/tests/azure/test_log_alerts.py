"""The alerts of infra/monitoring.tf count the lines the code really writes when what they watch happens.

An alert whose query looks for a text no line carries never fires, silently. Each test here makes the
event happen in the deployed logger's JSON lines and checks the alert's query counts that line, and no
line of the run where nothing happened.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from tests.azure.log_queries import MONITORING, alert_queries, counts

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
    """The logger a deployed app has (no Powertools in the Azure runtime lock): JSON lines on stdout."""
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


def test_every_alert_has_a_query_this_check_reads() -> None:
    text = MONITORING.read_text(encoding="utf-8")
    block = text[text.index("  alerts = {") :]

    assert sorted(alert_queries()) == sorted(re.findall(r"^    ([\w-]+) = \{", block, re.MULTILINE))
    assert "audit-chain-break" in alert_queries()


def test_a_broken_chain_is_counted_by_the_chain_break_alert(capsys: pytest.CaptureFixture[str]) -> None:
    log, archive = InMemoryAuditLog(), InMemoryAuditArchive()
    trail = AuditTrail(log, archive, FixedClock(RECORDED_AT))
    trail.record([bet(1), bet(2), bet(3)])
    chain_break = alert_queries()["audit-chain-break"]

    verify_chain(trail, archive)
    intact = capsys.readouterr().out.splitlines()
    log.chain[1] = replace(log.chain[1], correlation_id="someone-else")
    with pytest.raises(AuditChainBroken):
        verify_chain(trail, archive)
    broken = capsys.readouterr().out.splitlines()

    assert intact
    assert not any(counts(chain_break, line) for line in intact)
    assert len([line for line in broken if counts(chain_break, line)]) == 1
