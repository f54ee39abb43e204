"""The promotions' part of the tools' tests: the bonus granted, and the grant the bench counts."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.compliance import CURRENCY

DEMO_STEPS = [(250, "bonus granted")]
# The promotions worker pays its bonuses through the wallet (counted once with the leaderboards').
COUNTED = [(300, "grant")]


def demo_lines() -> list[str]:
    return [f"welcome-bonus: +100.00 {CURRENCY} bonus balance"]
