"""A scripted player journey against a local run: `make demo`.

It starts what `make dev` starts (tools/dev.py), plays one player's journey through the HTTP API with
tokens from the local issuer, prints each step, and ends with the wallet's reconciliation (the sum of
the player's ledger equals the balance). Every server it started is stopped, by PID, whatever happens;
the exit code is 1 if any step failed. A module adds its steps in journey_steps().
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import IO, Any

from tools.dev import LocalRun, LocalRunError
{%- if cookiecutter.module_wallet %}
from tools.local_auth import ServerStandIns
{%- endif %}
{%- if cookiecutter.module_wallet %}
from tools.stack import SOURCES, StackError, use_source_tree
{%- else %}
from tools.stack import SOURCES, StackError
{%- endif %}

LOG_LINES_ON_FAILURE = 40
# How long the journey waits for the workers to handle its events (EventBridge -> SQS -> worker).
# An event now takes two hops (the table's stream, then the bus and a queue); a loaded machine is slow.
WORKER_TIMEOUT_SECONDS = 60.0
WORKER_POLL_SECONDS = 0.2
{%- if cookiecutter.module_wallet %}
CURRENCY = "{{ manifest.jurisdictions[cookiecutter.jurisdiction].currency }}"
{%- endif %}

Step = tuple[str, Callable[[], str]]


class StepFailed(Exception):
    """A step got an answer it did not expect."""


{%- if cookiecutter.module_wallet %}


def money(amount: int) -> str:
    """Minor units as a readable amount: 1050 -> 10.50 EUR."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount) // 100}.{abs(amount) % 100:02d} {CURRENCY}"
{%- endif %}


class Journey:
    """One player's visit, step by step, through the local API."""

    def __init__(self, run: LocalRun) -> None:
        self.run = run
        self.player = f"demo-{uuid.uuid4().hex[:8]}"
        self.player_token = ""
        self.session_id: str | None = None
{%- if cookiecutter.module_wallet %}
        # Deposits, wins, rollbacks and KYC verdicts come from the payment provider, the game server and
        # the KYC provider: stand-ins with their own tokens, signing each call (tools/local_auth.py).
        self.servers: ServerStandIns | None = None
        self.server_tokens: dict[str, str] = {}
        self.cash = 0
        self.bets = 0
        self.staked = 0
        self.won = 0
        self.rolled_back = 0
{%- endif %}

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        expect: int,
        token: str = "",
    ) -> Any:
        """Send one request; raise StepFailed unless the answer has the `expect`ed status.

        A server caller's route is sent by that server's stand-in (its token, the player in the body,
        signed); any other with `token`.
        """
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
{%- if cookiecutter.module_wallet %}
        if self.servers is not None and self.servers.route(method, path) is not None:
            call = self.servers.call(method, path, body, self.player)
            data = call.body
            headers.update(call.headers)
            headers["Authorization"] = f"Bearer {self.server_tokens[call.caller]}"
{%- endif %}
        request = urllib.request.Request(self.run.api_url + path, data=data, headers=headers, method=method)  # noqa: S310 - local http
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local http
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        answer = json.loads(text) if text else None
        if status != expect:
            raise StepFailed(f"{method} {path} answered {status}, expected {expect}: {answer}")
        return answer

    def sign_in(self) -> str:
        self.player_token = self.run.token(self.player)
{%- if cookiecutter.module_wallet %}
        self.servers = self._server_stand_ins()
        assert self.run.definition is not None
        self.server_tokens = {
            caller: self.run.token(client, self.run.definition.route_scopes, client_id=client)
            for caller, client in self.servers.clients.items()
        }
{%- endif %}
{%- if cookiecutter.module_sessions %}
        session = self.call("POST", "/sessions", None, token=self.player_token, expect=201)
        self.session_id = session["session_id"]
        return f"player {self.player} got a token from the local issuer; session {self.session_id} started"
{%- else %}
        return f"player {self.player} got a token from the local issuer (no sessions module: no session)"
{%- endif %}
{%- if cookiecutter.module_wallet %}

{%- if cookiecutter.module_responsible_gaming %}

    def verify(self) -> str:
        """The KYC provider's verdict: until the player is verified, the wallet refuses deposits and bets."""
        path = f"/players/{self.player}/kyc"
        answer = self.call("POST", path, {"status": "verified"}, expect=200)
        return f"the KYC provider marked {self.player} {answer['kyc_status']}: deposits and bets allowed"
{%- endif %}

    def deposit(self, transaction_id: str, amount: int) -> str:
        receipt = self._money(
            "/wallet/deposits",
            transaction_id,
            amount,
        )
        return (
            f"+{money(amount)} from the payment provider (signed): {self._cash(receipt, self.cash + amount)}"
        )

    def bet(self, transaction_id: str, amount: int) -> str:
        receipt = self._money("/wallet/bets", transaction_id, amount, token=self.player_token)
        self.bets, self.staked = self.bets + 1, self.staked + amount
        return f"{money(-amount)} staked on {transaction_id}: {self._cash(receipt, self.cash - amount)}"

    def win(self, transaction_id: str, bet_transaction_id: str, amount: int) -> str:
        receipt = self._money(
            "/wallet/wins",
            transaction_id,
            amount,
            bet_transaction_id=bet_transaction_id,
        )
        self.won += amount
        return f"+{money(amount)} won on {bet_transaction_id}: {self._cash(receipt, self.cash + amount)}"

    def rollback(self, transaction_id: str, bet_transaction_id: str, stake: int) -> str:
        body: dict[str, Any] = {
            "transaction_id": self._id(transaction_id),
            "bet_transaction_id": self._id(bet_transaction_id),
        }
        if self.session_id is not None:
            body["session_id"] = self.session_id
        receipt = self.call("POST", "/wallet/rollbacks", body, expect=201)
        self.rolled_back += stake
        return (
            f"{bet_transaction_id} cancelled, {money(stake)} back: {self._cash(receipt, self.cash + stake)}"
        )

    def reconcile(self) -> str:
        """The wallet's reconciliation on the local tables: the ledger's sum against the balance."""
        use_source_tree()
        from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
        from {{ cookiecutter.package_name }}.domain.wallet import Wallet
        from {{ cookiecutter.package_name }}.settings import Settings, SystemClock

        assert self.run.stack is not None
        assert self.run.definition is not None
        settings = Settings.from_env(self.run.stack.environment(self.run.definition.api))
        ledger = DynamoLedgerStore(settings.wallet_table_name, client=self.run.client("dynamodb"))
        wallet = Wallet(ledger, SystemClock(), f"{settings.event_source}.wallet")
        result = wallet.reconcile(self.player)
        verdict = "balanced" if result.balanced else "NOT BALANCED"
        line = (
            f"ledger sum {money(result.ledger_cash)} = cash balance {money(result.balance_cash)}: {verdict}"
        )
        if not result.balanced:
            raise StepFailed(line.replace(" = ", " != "))
        if result.balance_cash != self.cash:
            raise StepFailed(
                f"the balance is {money(result.balance_cash)}, the journey expected {money(self.cash)}"
            )
        return line

    def _money(
        self,
        path: str,
        transaction_id: str,
        amount: int,
        *,
        token: str = "",
        **fields: str,
    ) -> Any:
        body: dict[str, Any] = {
            "transaction_id": self._id(transaction_id),
            "amount": amount,
            "currency": CURRENCY,
        }
        body.update({name: self._id(value) for name, value in fields.items()})
        if self.session_id is not None and path != "/wallet/deposits":
            body["session_id"] = self.session_id
        return self.call("POST", path, body, token=token, expect=201)

    def _server_stand_ins(self) -> ServerStandIns:
        """The payment provider, the game server and the KYC provider of this run, with its keys."""
        use_source_tree()
        from {{ cookiecutter.package_name }}.api.server_calls import SIGNATURE_HEADER, sign

        assert self.run.stack is not None
        assert self.run.definition is not None
        environment = self.run.stack.environment(self.run.definition.api)
        return ServerStandIns.of_api(environment, self.run.stack.parameters, sign, SIGNATURE_HEADER)

    def _cash(self, receipt: Any, expected: int) -> str:
        cash = receipt["balance"]["cash"]
        if cash != expected:
            raise StepFailed(f"cash is {money(cash)}, expected {money(expected)}")
        self.cash = cash
        return f"cash {money(cash)}"

    def _id(self, name: str) -> str:
        # Transaction ids are unique per player journey, as a game server's would be.
        return f"{self.player}-{name}"
{%- endif %}
{%- if cookiecutter.module_sessions %}
{%- if cookiecutter.module_wallet %}

    def session_activity(self) -> str:
        """Wait until the session shows the journey's bets and wins, counted by the worker."""
        expected = {"bets": self.bets, "staked": self.staked, "won": self.won}
        started = time.monotonic()
        seen = None
        for _ in range(int(WORKER_TIMEOUT_SECONDS / WORKER_POLL_SECONDS)):
            path = f"/sessions/{self.session_id}/heartbeat"
            seen = self.call("POST", path, None, token=self.player_token, expect=200)["activity"]
            if seen == expected:
                counted = f"{self.bets} bets, {money(self.staked)} staked, {money(self.won)} won"
                waited = time.monotonic() - started
                return f"the sessionActivity worker counted {counted} (bus, queue, worker: {waited:.1f} s)"
            self.run.check_running()
            time.sleep(WORKER_POLL_SECONDS)
        raise StepFailed(f"after {WORKER_TIMEOUT_SECONDS:.0f} s the session shows {seen}, not {expected}")
{%- else %}

    def heartbeat(self) -> str:
        session = self.call(
            "POST", f"/sessions/{self.session_id}/heartbeat", None, token=self.player_token, expect=200
        )
        if session["status"] != "active":
            raise StepFailed(f"the session is {session['status']} after a heartbeat")
        return f"session {self.session_id} still active, last seen {session['last_seen_at']}"
{%- endif %}
{%- endif %}

    def _until(self, what: str, look: Callable[[], Any]) -> Any:
        """Poll `look` until it returns something truthy (a worker's effect seen through the API)."""
        for _ in range(int(WORKER_TIMEOUT_SECONDS / WORKER_POLL_SECONDS)):
            found = look()
            if found:
                return found
            self.run.check_running()
            time.sleep(WORKER_POLL_SECONDS)
        raise StepFailed(f"after {WORKER_TIMEOUT_SECONDS:.0f} s there is still no {what}")
{%- if cookiecutter.module_promotions %}

    def bonus_granted(self) -> str:
        """The promotions worker grants the welcome bonus on the first deposit (bus, queue, worker)."""
        grants = self._until(
            "bonus grant",
            lambda: self.call("GET", "/promotions/me", None, token=self.player_token, expect=200)["grants"],
        )
        grant = grants[0]
        bonus = self.call("GET", "/wallet", None, token=self.player_token, expect=200)["bonus"]
        if bonus != grant["amount"]:
            raise StepFailed(f"the bonus balance is {money(bonus)}, the grant was {money(grant['amount'])}")
        wagering = money(grant["wagering"]["required"])
        return (
            f"{grant['promotion_id']}: +{money(grant['amount'])} bonus balance from the promotions worker "
            f"(wagering requirement {wagering})"
        )
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}

    def limit_reached(self, transaction_id: str, amount: int) -> str:
        """A daily wager limit just below the next bet: the bet is refused and nothing moves."""
        first = {"kind": "wager", "period": "day", "amount": 100_000, "currency": CURRENCY}
        self.call("POST", "/players/me/limits", first, token=self.player_token, expect=200)
        protection = self.call("GET", "/players/me/protection", None, token=self.player_token, expect=200)
        used = next(limit["used"] for limit in protection["limits"] if limit["kind"] == "wager")
        # Lowering a limit applies at once (raising one waits out its cooling period).
        lower = {**first, "amount": used + amount - 100}
        self.call("POST", "/players/me/limits", lower, token=self.player_token, expect=200)
        bet = {"transaction_id": self._id(transaction_id), "amount": amount, "currency": CURRENCY}
        if self.session_id is not None:
            bet["session_id"] = self.session_id
        refused = self.call("POST", "/wallet/bets", bet, token=self.player_token, expect=422)
        if refused["error"]["code"] != "limit_exceeded":
            raise StepFailed(f"the bet was refused with {refused['error']['code']}, not limit_exceeded")
        cash = self.call("GET", "/wallet", None, token=self.player_token, expect=200)["cash"]
        if cash != self.cash:
            raise StepFailed(f"a refused bet moved the cash from {money(self.cash)} to {money(cash)}")
        return (
            f"daily wager limit lowered to {money(lower['amount'])} ({money(used)} used): "
            f"a {money(amount)} bet refused (limit_exceeded, LimitReached published), cash {money(cash)}"
        )
{%- endif %}
{%- if cookiecutter.module_leaderboards %}

    def leaderboard(self, board_id: str, size: int) -> str:
        """The leaderboards worker scored the journey's win: the top N and the player's rank."""

        def scored() -> Any:
            path = f"/leaderboards/{board_id}/me"
            mine = self.call("GET", path, None, token=self.player_token, expect=200)
            return mine if mine["score"] >= self.won else None

        standing = self._until(f"score of {money(self.won)} on {board_id}", scored)
        path = f"/leaderboards/{board_id}?limit={size}"
        top = self.call("GET", path, None, token=self.player_token, expect=200)
        rows = ", ".join(
            f"#{row['rank']} {row['player']}{' (you)' if row['you'] else ''} {money(row['score'])}"
            for row in top["standings"]
        )
        return f"{board_id} top {size}: {rows}; the player ranks #{standing['rank']}"
{%- endif %}
{%- if cookiecutter.module_reporting %}

    def daily_report(self) -> str:
        """The dailyReport job run as after midnight, on the totals the ggrTotals worker counted today."""
        use_source_tree()
        from datetime import UTC, datetime, timedelta

        from {{ cookiecutter.package_name }}.adapters.dynamodb_reporting import DynamoGgrTotalsStore
        from {{ cookiecutter.package_name }}.adapters.memory import (
            FixedClock,
            InMemoryEventPublisher,
        )
        from {{ cookiecutter.package_name }}.adapters.s3_reporting import S3ReportWriter
        from {{ cookiecutter.package_name }}.domain.reporting import DailyGgrReporter
        from {{ cookiecutter.package_name }}.settings import ReportingSettings

        assert self.run.stack is not None
        assert self.run.definition is not None
        settings = ReportingSettings.from_env(self.run.stack.environment(self.run.definition.api))
        now = datetime.now(UTC)
        reporter = DailyGgrReporter(
            DynamoGgrTotalsStore(settings.reporting_table_name, client=self.run.client("dynamodb")),
            S3ReportWriter(settings.analytics_bucket_name, client=self.run.client("s3")),
            InMemoryEventPublisher(),
            FixedClock(now + timedelta(days=1)),
            "{{ cookiecutter.package_name }}.reporting",
        )
        written = reporter.write_report(now.date(), correlation_id=self.player)
        lines = {line["currency"]: line for line in written.report.as_json()["currencies"]}
        ggr = lines.get(CURRENCY, {}).get("ggr")
        expected = self.staked - self.rolled_back - self.won
        if ggr != expected:
            raise StepFailed(f"the report says GGR {ggr}, the journey played {money(expected)}")
        return f"GGR {money(expected)} today, written to {written.locations[0]}"
{%- endif %}

    def workers(self) -> str:
        """Wait until every worker has handled every event of the journey, none dead-lettered."""
        assert self.run.definition is not None
        assert self.run.stack is not None
        dead_letter_queues = {
            self.run.stack.dead_letter_queue(source.queue)
            for function in self.run.definition.workers
            for source in function.sources
        }
        started = time.monotonic()
        unfinished: dict[str, int] = {}
        for _ in range(int(WORKER_TIMEOUT_SECONDS / WORKER_POLL_SECONDS)):
            unfinished = {queue: count for queue, count in self.run.unfinished_messages().items() if count}
            if dead_letter_queues & set(unfinished):
                raise StepFailed(f"events went to a dead-letter queue: {unfinished}")
            if not unfinished:
                names = ", ".join(function.name for function in self.run.definition.workers)
                waited = time.monotonic() - started
                return f"every queued event was handled by its worker ({names}; {waited:.1f} s)"
            self.run.check_running()
            time.sleep(WORKER_POLL_SECONDS)
        raise StepFailed(f"after {WORKER_TIMEOUT_SECONDS:.0f} s these queues still hold events: {unfinished}")
{%- if cookiecutter.module_sessions %}

    def sign_out(self) -> str:
        session = self.call(
            "DELETE", f"/sessions/{self.session_id}", None, token=self.player_token, expect=200
        )
        if session["status"] != "ended":
            raise StepFailed(f"the session is {session['status']} after sign-out")
        return f"session {self.session_id} ended"
{%- endif %}


def journey_steps(journey: Journey) -> list[Step]:
    """The journey, in order; each module adds its steps here."""
    steps: list[Step] = [("sign in", journey.sign_in)]
{%- if cookiecutter.module_responsible_gaming %}
    steps.append(("identity check", journey.verify))
{%- endif %}
{%- if cookiecutter.module_wallet %}
    steps.append(("deposit", lambda: journey.deposit("deposit-1", 10_000)))
{%- endif %}
{%- if cookiecutter.module_promotions %}
    steps.append(("bonus granted", journey.bonus_granted))
{%- endif %}
{%- if cookiecutter.module_wallet %}
    steps += [
        ("bet", lambda: journey.bet("bet-1", 500)),
        ("bet", lambda: journey.bet("bet-2", 300)),
        ("win", lambda: journey.win("win-1", "bet-1", 1_200)),
        ("rollback", lambda: journey.rollback("rollback-1", "bet-2", 300)),
    ]
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
    steps.append(("limit reached", lambda: journey.limit_reached("bet-3", 600)))
{%- endif %}
{%- if cookiecutter.module_sessions and cookiecutter.module_wallet %}
    steps.append(("session activity", journey.session_activity))
{%- elif cookiecutter.module_sessions %}
    steps.append(("heartbeat", journey.heartbeat))
{%- endif %}
{%- if cookiecutter.module_sessions %}
    steps.append(("sign out", journey.sign_out))
{%- endif %}
    steps.append(("workers", journey.workers))
{%- if cookiecutter.module_leaderboards %}
    steps.append(("leaderboard", lambda: journey.leaderboard("daily-wins", 3)))
{%- endif %}
{%- if cookiecutter.module_reporting %}
    steps.append(("daily report", journey.daily_report))
{%- endif %}
{%- if cookiecutter.module_wallet %}
    steps.append(("reconciliation", journey.reconcile))
{%- endif %}
    return steps


def play(run: LocalRun, out: IO[str]) -> bool:
    """Run every step, printing each; False as soon as one fails."""
    journey = Journey(run)
    for number, (title, step) in enumerate(journey_steps(journey), start=1):
        try:
            line = step()
        except (StepFailed, LocalRunError, OSError) as error:
            print(f"{number:>3}. {title:<17} FAILED: {error}", file=out, flush=True)
            return False
        print(f"{number:>3}. {title:<17} {line}", file=out, flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    """Start the local servers, play the journey, stop the servers; 0 if every step passed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--stage", default="dev", help="whose parameters serverless.yml resolves (default dev)"
    )
    parser.add_argument("--source", choices=SOURCES, default="auto")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryFile(mode="w+") as log:
        passed = False
        try:
            with LocalRun(stage=args.stage, source=args.source, log=log) as run:
                assert run.definition is not None
                assert run.moto is not None
                assert run.stack is not None
                workers = ", ".join(function.name for function in run.definition.workers) or "none"
                print(f"Demo: one player's journey, locally (the stack from {run.definition.source_label})")
                print(f"     moto server {run.moto.endpoint_url} with {run.stack.created_summary()}")
                print(f"     API {run.api_url}, workers: {workers}")
                passed = play(run, sys.stdout)
        except (LocalRunError, StackError, OSError) as error:
            print(f"Demo could not start the local run: {error}")
        log.seek(0)
        lines = log.read().splitlines()[-LOG_LINES_ON_FAILURE:]
        if not passed and lines:
            print("Last lines of the servers' log:\n  " + "\n  ".join(lines))
    elapsed = time.monotonic() - started
    if passed:
        print(f"Demo passed in {elapsed:.1f} s; every server it started has stopped.")
        return 0
    print(f"Demo FAILED after {elapsed:.1f} s; every server it started has stopped.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
