"""The leaderboards' part of the tools' tests: the board after the workers, the grant and the update."""

from __future__ import annotations

from {{ cookiecutter.package_name }} import registry

DEMO_STEPS = [(600, "leaderboard")]
# The leaderboards worker pays mission rewards through the wallet (counted once with the promotions');
# in the hybrid mode the operator's wallet pays them, outside this stack, so no grant is counted.
COUNTED = [(300, "grant"), (400, "leaderboard")] if registry.enabled("wallet") else [(400, "leaderboard")]


def demo_lines() -> list[str]:
    return ["daily-wins top 3: #1 "]
