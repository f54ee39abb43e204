"""The leaderboards' part of the tools' tests: the board after the workers, the grant and the update."""

from __future__ import annotations

DEMO_STEPS = [(600, "leaderboard")]
# The leaderboards worker pays mission rewards through the wallet (counted once with the promotions').
COUNTED = [(300, "grant"), (400, "leaderboard")]


def demo_lines() -> list[str]:
    return ["daily-wins top 3: #1 "]
