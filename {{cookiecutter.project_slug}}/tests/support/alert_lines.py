"""The log lines an alert watches for, written by the deployed logger (GCP's and Azure's alert tests).

On GCP and Azure a function logs JSON lines on stdout (observability.JsonLinesLogger: Powertools is
AWS's layer, not in their runtime locks), and their alerts count lines by their text or fields. These
helpers make the watched event happen in the code and return the lines it wrote.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from {{ cookiecutter.package_name }} import observability
from {{ cookiecutter.package_name }}.adapters.memory import (
    FixedClock,
    InMemoryAuditArchive,
    InMemoryAuditLog,
)
from {{ cookiecutter.package_name }}.domain.audit import AuditEvent, AuditTrail
from {{ cookiecutter.package_name }}.workers.audit import AuditChainBroken, verify_chain

RECORDED_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def use_deployed_logger(monkeypatch: pytest.MonkeyPatch) -> None:
    """Log as a deployed GCP or Azure function does: JSON lines on stdout."""
    monkeypatch.setattr(observability, "_logger", observability.JsonLinesLogger("casino", "INFO"))


def _bet(number: int) -> AuditEvent:
    return AuditEvent(
        event_id=f"event-{number}",
        name="BetPlaced",
        source="casino.wallet",
        occurred_at="2030-01-01T12:00:00+00:00",
        correlation_id=f"round-{number}",
        detail={"player_id": "player-1", "transaction_id": f"bet-{number}", "amount": 100},
    )


def audit_chain_runs(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], list[str]]:
    """The lines of a verification of an intact chain, then of the same chain with a record tampered."""
    log, archive = InMemoryAuditLog(), InMemoryAuditArchive()
    trail = AuditTrail(log, archive, FixedClock(RECORDED_AT))
    trail.record([_bet(1), _bet(2), _bet(3)])
    capsys.readouterr()
    verify_chain(trail, archive)
    intact = capsys.readouterr().out.splitlines()
    log.chain[1] = replace(log.chain[1], correlation_id="someone-else")
    with pytest.raises(AuditChainBroken):
        verify_chain(trail, archive)
    return intact, capsys.readouterr().out.splitlines()
