"""Promotions' pieces of the local tools: the welcome bonus its worker grants on the first deposit.

With the hosted wallet the bonus lands in the player's bonus balance here; in the hybrid mode the
operator's wallet credits it (its fake platform records the signed credit the worker sent).
"""

from __future__ import annotations

from typing import Any

from tools.journey import Journey, StepFailed, money
from tools.modules import ModuleTools, Step, enabled


def bonus_granted(journey: Journey) -> str:
    """The promotions worker grants the welcome bonus on the first deposit (bus, queue, worker)."""

    def grants() -> Any:
        return journey.call("GET", "/promotions/me", None, token=journey.player_token, expect=200)["grants"]

    grant = journey.until("bonus grant", grants)[0]
    wagering = money(grant["wagering"]["required"])
    if enabled("operator_wallet"):
        from tools.modules.operator_wallet import operator_credits

        transaction_id = f"promo:{grant['promotion_id']}:{journey.player}"
        credits = journey.until(
            "bonus credit at the operator's wallet",
            lambda: [
                credit for credit in operator_credits(journey) if credit["transaction_id"] == transaction_id
            ],
        )
        if credits[0]["amount"] != grant["amount"]:
            raise StepFailed(
                f"the operator credited {money(credits[0]['amount'])}, the grant was {money(grant['amount'])}"
            )
        return (
            f"{grant['promotion_id']}: +{money(grant['amount'])} credited by the operator's wallet (signed), "
            f"from the promotions worker (wagering requirement {wagering}, tracked by the operator's wallet)"
        )
    bonus = journey.call("GET", "/wallet", None, token=journey.player_token, expect=200)["bonus"]
    if bonus != grant["amount"]:
        raise StepFailed(f"the bonus balance is {money(bonus)}, the grant was {money(grant['amount'])}")
    return (
        f"{grant['promotion_id']}: +{money(grant['amount'])} bonus balance from the promotions worker "
        f"(wagering requirement {wagering})"
    )


def bench_operations(driver: Any, player: str, tag: str) -> list[Any]:
    """The promotions worker pays its bonuses through the hosted wallet: counted like the money operations.

    In the hybrid mode the operator's wallet pays them, outside this stack: nothing here to count.
    """
    if not enabled("wallet"):
        return []
    from tools.modules.wallet import bonus_grant

    return [bonus_grant(driver, player, tag)]


TOOLS = ModuleTools(
    demo_steps=lambda journey: [Step(250, "bonus granted", lambda: bonus_granted(journey))],
    bench_operations=bench_operations,
)
