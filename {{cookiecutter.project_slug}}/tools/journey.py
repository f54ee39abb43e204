"""One player's visit to a local run, through the HTTP API: what the demo and the load tool play.

The journey holds what every project has (the player, their token, the server callers' stand-ins, the
workers' queues) and a tally of what the player did, which the modules' steps (tools/modules/) add to
and check: the cash the wallet should show, the bets, stakes, wins and rollbacks.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tools.local_auth import ServerStandIns
from tools.modules import ModuleTools, contributions, server_stand_ins
from tools.project import use_source_tree

if TYPE_CHECKING:
    from tools.local import LocalRun

use_source_tree()

from {{ cookiecutter.package_name }} import compliance  # noqa: E402 - once src/ is on the path

# The jurisdiction's house currency: the journey's amounts, the load's and the bench's are in it.
CURRENCY: str = compliance.CURRENCY

# How long the journey waits for the workers to handle its events (EventBridge -> SQS -> worker).
# An event now takes two hops (the table's stream, then the bus and a queue); a loaded machine is slow.
WORKER_TIMEOUT_SECONDS = 60.0
WORKER_POLL_SECONDS = 0.2


class StepFailed(Exception):
    """A step got an answer it did not expect."""


def money(amount: int) -> str:
    """Minor units as a readable amount: 1050 -> 10.50 EUR."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount) // 100}.{abs(amount) % 100:02d} {CURRENCY}"


class Journey:
    """One player's visit, step by step, through the local API."""

    def __init__(self, run: LocalRun, parts: list[ModuleTools] | None = None) -> None:
        self.run = run
        self.parts = contributions(run.left_out) if parts is None else parts
        self.player = f"demo-{uuid.uuid4().hex[:8]}"
        self.player_token = ""
        self.session_id: str | None = None
        # Deposits, wins, rollbacks and KYC verdicts come from the payment provider, the game server and
        # the KYC provider: stand-ins with their own tokens, signing each call (tools/local_auth.py).
        self.servers: ServerStandIns | None = None
        self.server_tokens: dict[str, str] = {}
        # The tally the modules' steps keep and check (minor units).
        self.cash = 0
        self.bets = 0
        self.staked = 0
        self.won = 0
        self.rolled_back = 0

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
        if self.servers is not None and self.servers.route(method, path) is not None:
            call = self.servers.call(method, path, body, self.player)
            data = call.body
            headers.update(call.headers)
            headers["Authorization"] = f"Bearer {self.server_tokens[call.caller]}"
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
        """A token from the local issuer, the server callers' stand-ins, and what the modules do then."""
        self.player_token = self.run.token(self.player)
        self.servers = self._server_stand_ins()
        if self.servers is not None:
            self.server_tokens = {
                caller: self.run.token(client, self.run.route_scopes, client_id=client)
                for caller, client in self.servers.clients.items()
            }
        notes = [note for part in self.parts if part.sign_in is not None and (note := part.sign_in(self))]
        signed_in = f"player {self.player} got a token from the local issuer"
        if self.session_id is None:
            return f"{signed_in} (no sessions module: no session)"
        return "; ".join([signed_in, *notes])

    def until(self, what: str, look: Callable[[], Any]) -> Any:
        """Poll `look` until it returns something truthy (a worker's effect seen through the API)."""
        for _ in range(int(WORKER_TIMEOUT_SECONDS / WORKER_POLL_SECONDS)):
            found = look()
            if found:
                return found
            self.run.check_running()
            time.sleep(WORKER_POLL_SECONDS)
        raise StepFailed(f"after {WORKER_TIMEOUT_SECONDS:.0f} s there is still no {what}")

    def workers(self) -> str:
        """Wait until every worker has handled every event of the journey, none dead-lettered."""
        dead_letter_queues = self.run.dead_letter_queues()
        started = time.monotonic()
        unfinished: dict[str, int] = {}
        for _ in range(int(WORKER_TIMEOUT_SECONDS / WORKER_POLL_SECONDS)):
            unfinished = {queue: count for queue, count in self.run.unfinished_messages().items() if count}
            if dead_letter_queues & set(unfinished):
                raise StepFailed(f"events went to a dead-letter queue: {unfinished}")
            if not unfinished:
                names = ", ".join(self.run.worker_names)
                waited = time.monotonic() - started
                return f"every queued event was handled by its worker ({names}; {waited:.1f} s)"
            self.run.check_running()
            time.sleep(WORKER_POLL_SECONDS)
        raise StepFailed(f"after {WORKER_TIMEOUT_SECONDS:.0f} s these queues still hold events: {unfinished}")

    def cash_is(self, receipt: Any, expected: int) -> str:
        """Check a wallet receipt's cash against the tally's expectation, then keep it."""
        cash = receipt["balance"]["cash"]
        if cash != expected:
            raise StepFailed(f"cash is {money(cash)}, expected {money(expected)}")
        self.cash = cash
        return f"cash {money(cash)}"

    def transaction_id(self, name: str) -> str:
        # Transaction ids are unique per player journey, as a game server's would be.
        return f"{self.player}-{name}"

    def _server_stand_ins(self) -> ServerStandIns | None:
        """The server callers of this run's routes, with this run's keys; None if no module has any."""
        if not any(part.server_stand_ins for part in self.parts):
            return None
        return server_stand_ins(self.parts, self.run.api_environment(), self.run.secrets)
