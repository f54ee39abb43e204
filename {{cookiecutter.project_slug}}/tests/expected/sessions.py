"""The sessions' part of the tools' tests: a heartbeat (or, with the wallet, the session's bets) and the
sign-out; the sign-in the bench counts; the sign-in as the load's request without a wallet."""

from __future__ import annotations

from {{ cookiecutter.package_name }} import registry
from {{ cookiecutter.package_name }}.compliance import CURRENCY

# With the wallet, the session step checks the bets the session counted; without it, a heartbeat.
DEMO_STEPS = [(400, "session activity" if registry.enabled("wallet") else "heartbeat"), (450, "sign out")]
COUNTED = [(0, "sign-in")]
WORKLOAD = (1, "sign-in")


def demo_lines() -> list[str]:
    # The session counts the wallet's bets only where the project has the wallet.
    if not registry.enabled("wallet"):
        return []
    return [f"counted 2 bets, 8.00 {CURRENCY} staked, 12.00 {CURRENCY} won"]
