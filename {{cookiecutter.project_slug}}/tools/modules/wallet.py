"""The wallet's pieces of the local tools: deposits, bets, wins, rollbacks and the reconciliation.

The payment provider, the game server and the KYC provider call the wallet's server routes: their
stand-ins sign those calls here as the real servers would (tools/local_auth.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tools.journey import CURRENCY, Journey, StepFailed, money
from tools.local_auth import ServerStandIns
from tools.modules import DevHint, ModuleTools, Operation, Setup, Step, Swap, Workload

if TYPE_CHECKING:
    from tools.bench import ApiDriver


def server_stand_ins(environment: Mapping[str, str], parameters: Mapping[str, str]) -> ServerStandIns:
    """The payment provider, the game server and the KYC provider of this run, with its keys."""
    from {{ cookiecutter.package_name }}.api.server_calls import SIGNATURE_HEADER, sign

    return ServerStandIns.of_api(environment, parameters, sign, SIGNATURE_HEADER)


# --- the demo ---------------------------------------------------------------------------------------


def round_of(bet_transaction_id: str) -> str:
    """The game round of a bet in these tools: each bet is a round of its own, as a single spin is."""
    return f"round-{bet_transaction_id}"


def deposit(journey: Journey, transaction_id: str, amount: int) -> str:
    receipt = _money(journey, "/wallet/deposits", transaction_id, amount)
    expected = journey.cash + amount
    return f"+{money(amount)} from the payment provider (signed): {journey.cash_is(receipt, expected)}"


def bet(journey: Journey, transaction_id: str, amount: int) -> str:
    receipt = _money(
        journey,
        "/wallet/bets",
        transaction_id,
        amount,
        token=journey.player_token,
        round_id=round_of(transaction_id),
    )
    journey.bets, journey.staked = journey.bets + 1, journey.staked + amount
    return f"{money(-amount)} staked on {transaction_id}: {journey.cash_is(receipt, journey.cash - amount)}"


def win(journey: Journey, transaction_id: str, bet_transaction_id: str, amount: int) -> str:
    receipt = _money(
        journey,
        "/wallet/wins",
        transaction_id,
        amount,
        bet_transaction_id=bet_transaction_id,
        round_id=round_of(bet_transaction_id),
    )
    journey.won += amount
    return f"+{money(amount)} won on {bet_transaction_id}: {journey.cash_is(receipt, journey.cash + amount)}"


def rollback(journey: Journey, transaction_id: str, bet_transaction_id: str, stake: int) -> str:
    body: dict[str, Any] = {
        "transaction_id": journey.transaction_id(transaction_id),
        "bet_transaction_id": journey.transaction_id(bet_transaction_id),
        "round_id": journey.transaction_id(round_of(bet_transaction_id)),
    }
    if journey.session_id is not None:
        body["session_id"] = journey.session_id
    receipt = journey.call("POST", "/wallet/rollbacks", body, expect=201)
    journey.rolled_back += stake
    back = journey.cash_is(receipt, journey.cash + stake)
    return f"{bet_transaction_id} cancelled, {money(stake)} back: {back}"


def reconcile(journey: Journey) -> str:
    """The wallet's reconciliation on the local tables: the ledger's sum against the balance."""
    from {{ cookiecutter.package_name }}.domain.wallet import Wallet
    from {{ cookiecutter.package_name }}.settings import SystemClock
    from tools.local import provider_part

    run = journey.run
    cloud = provider_part("wallet")
    settings = cloud.api_settings(run)
    ledger = cloud.ledger_store(run, settings)
    wallet = Wallet(ledger, SystemClock(), f"{settings.event_source}.wallet")
    result = wallet.reconcile(journey.player)
    verdict = "balanced" if result.balanced else "NOT BALANCED"
    line = f"ledger sum {money(result.ledger_cash)} = cash balance {money(result.balance_cash)}: {verdict}"
    if not result.balanced:
        raise StepFailed(line.replace(" = ", " != "))
    if result.balance_cash != journey.cash:
        raise StepFailed(
            f"the balance is {money(result.balance_cash)}, the journey expected {money(journey.cash)}"
        )
    return line


def _money(
    journey: Journey,
    path: str,
    transaction_id: str,
    amount: int,
    *,
    token: str = "",
    **fields: str,
) -> Any:
    body: dict[str, Any] = {
        "transaction_id": journey.transaction_id(transaction_id),
        "amount": amount,
        "currency": CURRENCY,
    }
    body.update({name: journey.transaction_id(value) for name, value in fields.items()})
    if journey.session_id is not None and path != "/wallet/deposits":
        body["session_id"] = journey.session_id
    return journey.call("POST", path, body, token=token, expect=201)


def demo_steps(journey: Journey) -> list[Step]:
    return [
        Step(200, "deposit", lambda: deposit(journey, "deposit-1", 10_000)),
        Step(300, "bet", lambda: bet(journey, "bet-1", 500)),
        Step(300, "bet", lambda: bet(journey, "bet-2", 300)),
        Step(300, "win", lambda: win(journey, "win-1", "bet-1", 1_200)),
        Step(300, "rollback", lambda: rollback(journey, "rollback-1", "bet-2", 300)),
        Step(900, "reconciliation", lambda: reconcile(journey)),
    ]


# --- the load ---------------------------------------------------------------------------------------


def load_setup(journey: Journey, funds: int) -> list[Setup]:
    return [Setup(200, lambda: deposit(journey, "load-deposit", funds))]


def load_bet_or_win(journey: Journey, client: int, number: int) -> None:
    """A bet, then a win on it, in turn; StepFailed if the answer is not the expected one."""
    # Transaction ids unique per player, as a game server's are.
    bet_id = f"{journey.player}-load-{client}-{number // 2}"
    amount = {"amount": 2, "currency": CURRENCY}
    if number % 2 == 0:
        body = {"transaction_id": bet_id, "round_id": round_of(bet_id), **amount}
        if journey.session_id is not None:
            body["session_id"] = journey.session_id
        journey.call("POST", "/wallet/bets", body, token=journey.player_token, expect=201)
    else:
        body = {
            "transaction_id": f"{bet_id}-win",
            "bet_transaction_id": bet_id,
            "round_id": round_of(bet_id),
            **amount,
        }
        # The game server's stand-in sends it (its own token, signed): Journey.call routes server calls.
        journey.call("POST", "/wallet/wins", body, token=journey.player_token, expect=201)


# --- the bench --------------------------------------------------------------------------------------


def money_body(transaction_id: str, amount: int, **fields: str) -> dict[str, Any]:
    return {"transaction_id": transaction_id, "amount": amount, "currency": CURRENCY, **fields}


def bet_body(driver: ApiDriver, player: str, transaction_id: str, amount: int) -> dict[str, Any]:
    """A bet on a round of its own, in the player's session when it has one (a jurisdiction may ask)."""
    session = driver.sessions.get(player)
    extra = {} if session is None else {"session_id": session}
    return money_body(transaction_id, amount, round_id=round_of(transaction_id), **extra)


def bench_setup(driver: ApiDriver, player: str, tag: str, funds: int) -> list[Setup]:
    from {{ cookiecutter.package_name }}.registry import enabled

    deposit = money_body(f"{tag}-d", funds)
    setup = [
        Setup(200, lambda: driver.call("POST", "/wallet/deposits", deposit, player, driver.server_scopes))
    ]
    if enabled("sessions"):
        # The loaded player bets in a session of its own, as a player signed in to a game does.
        setup.append(Setup(150, lambda: driver.call("POST", "/sessions", None, player)))
    return setup


def bench_operations(driver: ApiDriver, player: str, tag: str) -> list[Operation]:
    credit = driver.server_scopes
    return [
        Operation(
            200,
            "deposit",
            lambda: driver.call("POST", "/wallet/deposits", money_body(f"{tag}-d", 10_000), player, credit),
        ),
        Operation(
            200,
            "withdrawal",
            lambda: driver.call(
                "POST", "/wallet/withdrawals", money_body(f"{tag}-wd", 1_000), player, credit
            ),
        ),
        Operation(
            200,
            "bet",
            lambda: driver.call("POST", "/wallet/bets", bet_body(driver, player, f"{tag}-b1", 500), player),
        ),
        Operation(
            200,
            "bet",
            lambda: driver.call("POST", "/wallet/bets", bet_body(driver, player, f"{tag}-b2", 300), player),
        ),
        Operation(
            200,
            "win",
            lambda: driver.call(
                "POST",
                "/wallet/wins",
                money_body(f"{tag}-w", 900, bet_transaction_id=f"{tag}-b1", round_id=round_of(f"{tag}-b1")),
                player,
                credit,
            ),
        ),
        Operation(
            200,
            "rollback",
            lambda: driver.call(
                "POST",
                "/wallet/rollbacks",
                {
                    "transaction_id": f"{tag}-r",
                    "bet_transaction_id": f"{tag}-b2",
                    "round_id": round_of(f"{tag}-b2"),
                },
                player,
                credit,
            ),
        ),
    ]


def bench_bet(driver: ApiDriver, player: str, tag: str) -> object:
    return driver.call("POST", "/wallet/bets", bet_body(driver, player, tag, 1), player)


def bonus_grant(driver: ApiDriver, player: str, tag: str) -> Operation:
    """A bonus grant as the promotions and leaderboards workers pay it: the wallet's grant_bonus on the
    same adapters (the API's services hold that wallet; the workers build their own alike)."""

    def grant() -> object:
        from {{ cookiecutter.package_name }}.api.context import SERVICES_KEY
        from {{ cookiecutter.package_name }}.domain.money import Money
        from {{ cookiecutter.package_name }}.domain.wallet import Wallet

        transaction_id = f"{tag}-g"
        wallet = driver.app.extensions[SERVICES_KEY].get("wallet").module("wallet")
        assert isinstance(wallet, Wallet), wallet
        amount = Money.of(100, CURRENCY)
        return wallet.grant_bonus(player, transaction_id, amount, correlation_id=f"bench-{transaction_id}")

    return Operation(300, "grant", grant)


TOOLS = ModuleTools(
    server_stand_ins=server_stand_ins,
    demo_steps=demo_steps,
    load_setup=load_setup,
    bench_setup=bench_setup,
    bench_operations=bench_operations,
    # The wallet's bet is the busiest request of a casino: the load and the bench repeat it.
    workload=Workload(rank=0, name="bet", load=load_bet_or_win, bench=bench_bet),
    memory_swaps=(
        Swap(
            "adapters.dynamodb_wallet", "DynamoLedgerStore", "adapters.memory_wallet", "InMemoryLedgerStore"
        ),
    ),
    dev_hint=DevHint(rank=1, command='curl -s -H "Authorization: Bearer $PLAYER_TOKEN" {api}/wallet'),
)
