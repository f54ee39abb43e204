"""Player protection's pieces of the local tools: the KYC verdict and a limit that refuses a bet.

Until the KYC provider has verified the player, the wallet refuses deposits and bets (the gate fails
closed), so every journey, load and bench verifies its player first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.journey import CURRENCY, Journey, StepFailed, money
from tools.modules import ModuleTools, Operation, Setup, Step

if TYPE_CHECKING:
    from tools.bench import ApiDriver


def verify(journey: Journey) -> str:
    """The KYC provider's verdict: until the player is verified, the wallet refuses deposits and bets."""
    path = f"/players/{journey.player}/kyc"
    answer = journey.call("POST", path, {"status": "verified"}, expect=200)
    return f"the KYC provider marked {journey.player} {answer['kyc_status']}: deposits and bets allowed"


def limit_reached(journey: Journey, transaction_id: str, amount: int) -> str:
    """A daily wager limit just below the next bet: the bet is refused and nothing moves."""
    token = journey.player_token
    first = {"kind": "wager", "period": "day", "amount": 100_000, "currency": CURRENCY}
    journey.call("POST", "/players/me/limits", first, token=token, expect=200)
    protection = journey.call("GET", "/players/me/protection", None, token=token, expect=200)
    used = next(limit["used"] for limit in protection["limits"] if limit["kind"] == "wager")
    # Lowering a limit applies at once (raising one waits out its cooling period).
    lower = {**first, "amount": used + amount - 100}
    journey.call("POST", "/players/me/limits", lower, token=token, expect=200)
    bet = {
        "transaction_id": journey.transaction_id(transaction_id),
        "round_id": journey.transaction_id(f"round-{transaction_id}"),
        "amount": amount,
        "currency": CURRENCY,
    }
    if journey.session_id is not None:
        bet["session_id"] = journey.session_id
    refused = journey.call("POST", "/wallet/bets", bet, token=token, expect=422)
    if refused["error"]["code"] != "limit_exceeded":
        raise StepFailed(f"the bet was refused with {refused['error']['code']}, not limit_exceeded")
    cash = journey.call("GET", "/wallet", None, token=token, expect=200)["cash"]
    if cash != journey.cash:
        raise StepFailed(f"a refused bet moved the cash from {money(journey.cash)} to {money(cash)}")
    return (
        f"daily wager limit lowered to {money(lower['amount'])} ({money(used)} used): "
        f"a {money(amount)} bet refused (limit_exceeded, LimitReached published), cash {money(cash)}"
    )


def demo_steps(journey: Journey) -> list[Step]:
    return [
        Step(100, "identity check", lambda: verify(journey)),
        Step(350, "limit reached", lambda: limit_reached(journey, "bet-3", 600)),
    ]


def bench_verify(driver: ApiDriver, player: str) -> object:
    """The KYC provider's verdict for `player` (its token carries the route's players:kyc scope)."""
    return driver.call("POST", f"/players/{player}/kyc", {"status": "verified"}, player, driver.server_scopes)


TOOLS = ModuleTools(
    demo_steps=demo_steps,
    load_setup=lambda journey, _funds: [Setup(100, lambda: verify(journey))],
    bench_setup=lambda driver, player, _tag, _funds: [Setup(100, lambda: bench_verify(driver, player))],
    # The KYC gate fails closed: the KYC provider verifies the player before any money moves.
    bench_operations=lambda driver, player, _tag: [
        Operation(100, "kyc", lambda: bench_verify(driver, player))
    ],
)
