"""Promotions' pieces of the local tools: the welcome bonus its worker grants on the first deposit."""

from __future__ import annotations

from typing import Any

from tools.journey import Journey, StepFailed, money
from tools.modules import ModuleTools, Step
from tools.modules.wallet import bonus_grant


def bonus_granted(journey: Journey) -> str:
    """The promotions worker grants the welcome bonus on the first deposit (bus, queue, worker)."""

    def grants() -> Any:
        return journey.call("GET", "/promotions/me", None, token=journey.player_token, expect=200)["grants"]

    grant = journey.until("bonus grant", grants)[0]
    bonus = journey.call("GET", "/wallet", None, token=journey.player_token, expect=200)["bonus"]
    if bonus != grant["amount"]:
        raise StepFailed(f"the bonus balance is {money(bonus)}, the grant was {money(grant['amount'])}")
    wagering = money(grant["wagering"]["required"])
    return (
        f"{grant['promotion_id']}: +{money(grant['amount'])} bonus balance from the promotions worker "
        f"(wagering requirement {wagering})"
    )


TOOLS = ModuleTools(
    demo_steps=lambda journey: [Step(250, "bonus granted", lambda: bonus_granted(journey))],
    # The promotions worker pays its bonuses through the wallet: counted like the money operations.
    bench_operations=lambda driver, player, tag: [bonus_grant(driver, player, tag)],
)
