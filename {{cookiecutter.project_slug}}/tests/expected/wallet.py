"""The wallet's part of the tools' tests: the deposit, the bets, the win, the rollback and the
reconciliation; its money operations counted by the bench; the bet as the load's request."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.compliance import CURRENCY

DEMO_STEPS = [
    (200, "deposit"),
    (300, "bet"),
    (300, "bet"),
    (300, "win"),
    (300, "rollback"),
    (900, "reconciliation"),
]
COUNTED = [(200, name) for name in ("deposit", "withdrawal", "bet", "win", "rollback")]
WORKLOAD = (0, "bet")


def demo_lines() -> list[str]:
    return [f"ledger sum 107.00 {CURRENCY} = cash balance 107.00 {CURRENCY}: balanced"]
