"""Leaderboards' pieces of the local tools: the journey's win on a board, and the worker's update."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tools.journey import Journey, money
from tools.local import provider_part
from tools.modules import ModuleTools, Operation, Step, enabled

if TYPE_CHECKING:
    from tools.bench import ApiDriver


def leaderboard(journey: Journey, board_id: str, size: int) -> str:
    """The leaderboards worker scored the journey's win: the top N and the player's rank."""
    token = journey.player_token

    def scored() -> Any:
        mine = journey.call("GET", f"/leaderboards/{board_id}/me", None, token=token, expect=200)
        # No score yet (the worker has not seen the win): keep waiting, as for a lower one.
        score = mine.get("score")
        return mine if score is not None and score >= journey.won else None

    standing = journey.until(f"score of {money(journey.won)} on {board_id}", scored)
    top = journey.call("GET", f"/leaderboards/{board_id}?limit={size}", None, token=token, expect=200)
    rows = ", ".join(
        f"#{row['rank']} {row['player']}{' (you)' if row['you'] else ''} {money(row['score'])}"
        for row in top["standings"]
    )
    return f"{board_id} top {size}: {rows}; the player ranks #{standing['rank']}"


def bench_operations(driver: ApiDriver, player: str, tag: str) -> list[Operation]:
    update = provider_part("leaderboards").leaderboard_update
    operations = [Operation(400, "leaderboard", lambda: update(player, f"{tag}-w", 900))]
    if enabled("wallet"):
        # Prizes are paid through the wallet: counted like the money operations. In the hybrid mode the
        # operator's wallet pays them, outside this stack: nothing of this stack to count.
        from tools.modules.wallet import bonus_grant

        operations.insert(0, bonus_grant(driver, player, tag))
    return operations


TOOLS = ModuleTools(
    demo_steps=lambda journey: [Step(600, "leaderboard", lambda: leaderboard(journey, "daily-wins", 3))],
    bench_operations=bench_operations,
)
