"""The promotions' part of the tools' tests: the bonus granted, and the grant the bench counts."""

from __future__ import annotations

from {{ cookiecutter.package_name }} import registry
from {{ cookiecutter.package_name }}.compliance import CURRENCY

DEMO_STEPS = [(250, "bonus granted")]
# The promotions worker pays its bonuses through the wallet (counted once with the leaderboards'); in
# the hybrid mode the operator's wallet pays them, outside this stack, so no grant is counted.
COUNTED = [(300, "grant")] if registry.enabled("wallet") else []


def demo_lines() -> list[str]:
    if registry.enabled("operator_wallet"):
        return [f"welcome-bonus: +100.00 {CURRENCY} credited by the operator's wallet (signed)"]
    return [f"welcome-bonus: +100.00 {CURRENCY} bonus balance"]
