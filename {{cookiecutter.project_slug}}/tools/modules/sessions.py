"""Sessions' pieces of the local tools: a session at sign-in, its activity or heartbeat, the sign-out."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tools.journey import WORKER_POLL_SECONDS, WORKER_TIMEOUT_SECONDS, Journey, StepFailed, money
from tools.modules import DevHint, ModuleTools, Operation, Step, Swap, Workload, enabled

if TYPE_CHECKING:
    from tools.bench import ApiDriver


def start_session(journey: Journey) -> str:
    session = journey.call("POST", "/sessions", None, token=journey.player_token, expect=201)
    journey.session_id = session["session_id"]
    return f"session {journey.session_id} started"


def session_activity(journey: Journey) -> str:
    """Wait until the session shows the journey's bets and wins, counted by the worker."""
    expected = {"bets": journey.bets, "staked": journey.staked, "won": journey.won}
    started = time.monotonic()
    seen = None
    for _ in range(int(WORKER_TIMEOUT_SECONDS / WORKER_POLL_SECONDS)):
        path = f"/sessions/{journey.session_id}/heartbeat"
        seen = journey.call("POST", path, None, token=journey.player_token, expect=200)["activity"]
        if seen == expected:
            counted = f"{journey.bets} bets, {money(journey.staked)} staked, {money(journey.won)} won"
            waited = time.monotonic() - started
            return f"the sessionActivity worker counted {counted} (bus, queue, worker: {waited:.1f} s)"
        journey.run.check_running()
        time.sleep(WORKER_POLL_SECONDS)
    raise StepFailed(f"after {WORKER_TIMEOUT_SECONDS:.0f} s the session shows {seen}, not {expected}")


def heartbeat(journey: Journey) -> str:
    path = f"/sessions/{journey.session_id}/heartbeat"
    session = journey.call("POST", path, None, token=journey.player_token, expect=200)
    if session["status"] != "active":
        raise StepFailed(f"the session is {session['status']} after a heartbeat")
    return f"session {journey.session_id} still active, last seen {session['last_seen_at']}"


def sign_out(journey: Journey) -> str:
    path = f"/sessions/{journey.session_id}"
    session = journey.call("DELETE", path, None, token=journey.player_token, expect=200)
    if session["status"] != "ended":
        raise StepFailed(f"the session is {session['status']} after sign-out")
    return f"session {journey.session_id} ended"


def demo_steps(journey: Journey) -> list[Step]:
    # The sessionActivity worker counts the wallet's bets and wins: with no wallet there is nothing
    # to count, and a heartbeat shows the session alive instead (one check, not a listing).
    if enabled("wallet"):
        during = Step(400, "session activity", lambda: session_activity(journey))
    else:
        during = Step(400, "heartbeat", lambda: heartbeat(journey))
    return [during, Step(450, "sign out", lambda: sign_out(journey))]


def load_sign_in(journey: Journey, _client: int, _number: int) -> None:
    journey.call("POST", "/sessions", None, token=journey.player_token, expect=201)


def bench_sign_in(driver: ApiDriver, player: str, _tag: str) -> object:
    return driver.call("POST", "/sessions", None, player)


TOOLS = ModuleTools(
    sign_in=start_session,
    demo_steps=demo_steps,
    bench_operations=lambda driver, player, tag: [
        Operation(0, "sign-in", lambda: bench_sign_in(driver, player, tag))
    ],
    # Without a wallet, signing in is the busiest request.
    workload=Workload(rank=1, name="sign-in", load=load_sign_in, bench=bench_sign_in),
    memory_swaps=(
        Swap(
            "adapters.dynamodb_sessions",
            "DynamoSessionStore",
            "adapters.memory_sessions",
            "InMemorySessionStore",
        ),
    ),
    dev_hint=DevHint(
        rank=0, command='curl -s -X POST -H "Authorization: Bearer $PLAYER_TOKEN" {api}/sessions'
    ),
)
