"""The hybrid mode's pieces of the local tools: the operator's play through the signed webhook, its bonus.

The operator's platform (here its local fake, tools/operator_platform.py) is the record of play: its
wallet takes the bets and pays the wins, and announces each on the project's webhook, signed with its
own key. The supporting modules react as they do to the hosted wallet's events; a mission the player
completes is paid by the operator's wallet, which the last step reads back.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Any

from tools.journey import CURRENCY, Journey, StepFailed, money
from tools.local_auth import ServerStandIns
from tools.modules import ModuleTools, Step, enabled
from tools.operator_platform import BONUS_CREDITS_PATH, EVENTS_PATH, local_environment, platform_event

# The operator's play in the journey: (bet, stake, win or None), then one bet rolled back. Three wins
# complete the default catalogue's weekly mission, whose reward the operator's wallet credits.
ROUNDS = (("op-bet-1", 500, 1_200), ("op-bet-2", 300, 400), ("op-bet-3", 200, 900))
ROLLED_BACK = ("op-bet-4", 250)
# The first deposit, with promotions: it earns the welcome bonus (100% up to 100.00).
DEPOSIT = 10_000


def server_stand_ins(environment: Mapping[str, str], parameters: Mapping[str, str]) -> ServerStandIns:
    """The operator's platform of this run, signing with this run's key of the webhook."""
    from {{ cookiecutter.package_name }}.api.server_calls import SIGNATURE_HEADER, sign

    return ServerStandIns.of_api(environment, parameters, sign, SIGNATURE_HEADER)


def announce(journey: Journey, kind: str, name: str, amount: int, **extra: Any) -> Any:
    """One event of the operator's wallet, sent by its platform's stand-in to the webhook."""
    if journey.session_id is not None:
        extra["session_id"] = journey.session_id
    event = platform_event(kind, journey.player, journey.transaction_id(name), amount, CURRENCY, **extra)
    return journey.call("POST", EVENTS_PATH, event, expect=202), event


def operator_deposit(journey: Journey) -> str:
    """The operator's wallet took the player's first deposit; its platform announced it, signed."""
    announce(journey, "FundsDeposited", "op-deposit-1", DEPOSIT)
    return f"the operator's wallet took a deposit of {money(DEPOSIT)}, announced signed"


def operator_play(journey: Journey) -> str:
    """The operator's wallet took the bets and paid the wins; its platform announced each, signed."""
    for bet, stake, win in ROUNDS:
        announce(journey, "BetPlaced", bet, stake)
        journey.bets, journey.staked = journey.bets + 1, journey.staked + stake
        announce(journey, "BetSettled", f"{bet}-win", win, bet_transaction_id=journey.transaction_id(bet))
        journey.won += win
    bet, stake = ROLLED_BACK
    announce(journey, "BetPlaced", bet, stake)
    _, last = announce(
        journey, "BetRolledBack", f"{bet}-rollback", stake, bet_transaction_id=journey.transaction_id(bet)
    )
    journey.bets, journey.staked, journey.rolled_back = (
        journey.bets + 1,
        journey.staked + stake,
        journey.rolled_back + stake,
    )
    # The platform retries a delivery it saw no answer to: the webhook publishes it once.
    again = journey.call("POST", EVENTS_PATH, last, expect=200)
    if again.get("delivery") != "duplicate":
        raise StepFailed(f"a redelivered event was not recognised: {again}")
    return (
        f"the operator's wallet staked {money(journey.staked)} in {journey.bets} bets, "
        f"paid {money(journey.won)} and rolled back {money(journey.rolled_back)}; "
        f"{2 * len(ROUNDS) + 2} signed events published as the wallet's, a redelivery answered 'duplicate'"
    )


def operator_bonus(journey: Journey) -> str:
    """The mission the operator's wins completed was paid by the operator's wallet, not by this stack."""

    def credited() -> Any:
        # The mission's reward (a promotion's bonus is its own step's).
        return [
            credit for credit in operator_credits(journey) if credit["transaction_id"].startswith("mission:")
        ]

    credits = journey.until("bonus credit at the operator's wallet", credited)
    shown = ", ".join(f"{money(credit['amount'])} ({credit['transaction_id']})" for credit in credits)
    return f"the operator's wallet received the signed bonus credit {shown}; this stack holds no balance"


def operator_credits(journey: Journey) -> list[dict[str, Any]]:
    """The bonus credits the operator's (fake) wallet recorded for the journey's player."""
    with urllib.request.urlopen(operator_platform_url(journey) + BONUS_CREDITS_PATH, timeout=5) as response:  # noqa: S310 - local http
        found = json.loads(response.read())["credits"]
    return [credit for credit in found if credit["player_id"] == journey.player]


def operator_platform_url(journey: Journey) -> str:
    """Where this run's fake operator platform answers (the workers' OPERATOR_WALLET_URL)."""
    payer = "leaderboards" if enabled("leaderboards") else "promotions"
    url = journey.run.worker_environment(payer).get("OPERATOR_WALLET_URL", "")
    if not url.startswith("http://127.0.0.1"):
        raise StepFailed(f"the local run has no fake operator platform (OPERATOR_WALLET_URL={url!r})")
    return url


def demo_steps(journey: Journey) -> list[Step]:
    steps = [Step(300, "operator play", lambda: operator_play(journey))]
    # The first deposit earns the promotions' welcome bonus, which the operator's wallet credits.
    if enabled("promotions"):
        steps.insert(0, Step(200, "operator deposit", lambda: operator_deposit(journey)))
    # Mission rewards are the bonuses of this project's modules that the operator's wallet pays.
    if enabled("leaderboards"):
        steps.append(Step(650, "operator bonus", lambda: operator_bonus(journey)))
    return steps


TOOLS = ModuleTools(
    server_stand_ins=server_stand_ins, demo_steps=demo_steps, local_environment=local_environment
)
