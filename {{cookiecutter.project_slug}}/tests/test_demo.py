"""The local run: the stack read from its one source, the local JWT authorizer, and `make demo` end to end."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any, cast

import jwt
import pytest
from tools.demo import journey_steps, play
from tools.dev import LocalRun
from tools.journey import Journey
from tools.local_auth import TOKEN_PATH, LocalGateway, LocalIssuer, authorizer_context
from tools.modules import ModuleTools, Step, contributions
from tools.stack import LOCAL_TYPES, PROJECT_ROOT, QUEUE, load
from werkzeug.test import Client

from {{ cookiecutter.package_name }} import registry
from {{ cookiecutter.package_name }}.compliance import CURRENCY

ISSUER_URL = "http://127.0.0.1:8000/local-auth"
DEMO_TIMEOUT_SECONDS = 180


def echo_authorizer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answers with what the gateway handed over to the app."""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"authorizer": environ.get("serverless.authorizer")}).encode()]


@pytest.fixture
def issuer() -> LocalIssuer:
    return LocalIssuer.with_random_key(ISSUER_URL)


@pytest.fixture
def gateway(issuer: LocalIssuer) -> Client:
    return Client(LocalGateway(echo_authorizer, issuer))


def test_gateway_hands_the_app_the_claims_and_scopes_the_http_api_would(
    issuer: LocalIssuer, gateway: Client
) -> None:
    token = issuer.issue("player-1", ["wallet:credit"])

    response = gateway.get("/wallet", headers={"Authorization": f"Bearer {token}"})

    authorizer = response.get_json()["authorizer"]
    assert authorizer["jwt"]["scopes"] == ["wallet:credit"]
    assert authorizer["jwt"]["claims"]["sub"] == "player-1"
    assert all(isinstance(value, str) for value in authorizer["jwt"]["claims"].values())


def test_a_player_token_carries_no_scopes(issuer: LocalIssuer) -> None:
    claims = issuer.verify(issuer.issue("player-1"))

    assert authorizer_context(claims)["jwt"]["scopes"] is None


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(LocalIssuer.with_random_key(ISSUER_URL).issue("player-1"), id="another-runs-key"),
        pytest.param(LocalIssuer.with_random_key("http://elsewhere").issue("player-1"), id="another-issuer"),
        pytest.param("not-a-token", id="garbage"),
    ],
)
def test_gateway_refuses_a_token_it_did_not_issue(gateway: Client, token: str) -> None:
    response = gateway.get("/wallet", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


def test_gateway_refuses_an_expired_token(issuer: LocalIssuer, gateway: Client) -> None:
    token = issuer.issue("player-1", ttl_seconds=-1)

    assert gateway.get("/wallet", headers={"Authorization": token}).status_code == 401


def test_a_request_without_a_token_reaches_the_app_without_claims(gateway: Client) -> None:
    assert gateway.get("/health").get_json() == {"authorizer": None}


def test_token_route_issues_a_token_the_gateway_accepts(issuer: LocalIssuer, gateway: Client) -> None:
    response = gateway.post(TOKEN_PATH, json={"sub": "player-7", "scopes": ["wallet:credit"]})

    claims = issuer.verify(response.get_json()["access_token"])
    assert (claims["sub"], claims["scope"]) == ("player-7", "wallet:credit")


@pytest.mark.parametrize(
    "body", [{"sub": ""}, {"sub": "p", "scopes": "wallet:credit"}, {"sub": "p", "scopes": ["bad scope"]}]
)
def test_token_route_refuses_a_malformed_request(gateway: Client, body: dict[str, Any]) -> None:
    assert gateway.post(TOKEN_PATH, json=body).status_code == 400


def test_tokens_are_signed_with_hs256_for_the_local_audience(issuer: LocalIssuer) -> None:
    header = jwt.get_unverified_header(issuer.issue("player-1"))

    assert header["alg"] == "HS256"


def test_local_run_reads_the_stack_from_serverless_yml() -> None:
    stack = load("dev", "serverless.yml")

    created = {k: r for k, r in stack.resources.items() if r["Type"] in LOCAL_TYPES}
    assert "${" not in json.dumps([r["Properties"].get("TableName", "") for r in created.values()])
    assert stack.api.handler == "wsgi_handler.handler"
    for worker in stack.workers:
        assert all(stack.resources[source.queue]["Type"] == QUEUE for source in worker.sources)
    if registry.enabled("sessions"):
        assert "sessionActivity" in {worker.name for worker in stack.workers}


def expected_steps() -> list[str]:
    """The journey's steps, in order, for this project's modules.

    Written out here, not read from the demo, so that a step a module lost or moved fails the test; the
    order runs across modules (the sign-out comes before the workers' check), hence one list.
    """
    on = registry.enabled
    steps = ["sign in"]
    steps += ["identity check"] if on("responsible_gaming") else []
    steps += ["deposit"] if on("wallet") else []
    steps += ["bonus granted"] if on("promotions") else []
    steps += ["bet", "bet", "win", "rollback"] if on("wallet") else []
    steps += ["operator play"] if on("operator_wallet") else []
    steps += ["limit reached"] if on("responsible_gaming") else []
    if on("sessions"):
        steps += ["session activity" if on("wallet") else "heartbeat", "sign out"]
    steps += ["workers"]
    steps += ["leaderboard"] if on("leaderboards") else []
    steps += ["operator bonus"] if on("operator_wallet") and on("leaderboards") else []
    steps += ["daily report"] if on("reporting") else []
    steps += ["reconciliation"] if on("wallet") else []
    return steps


def expected_lines() -> list[str]:
    """What the journey's figures must read (amounts in the jurisdiction's currency)."""
    on = registry.enabled
    lines = []
    lines += ["daily-wins top 3: #1 "] if on("leaderboards") else []
    lines += [f"GGR -7.00 {CURRENCY} today"] if on("reporting") and on("wallet") else []
    # The hybrid mode: the operator's wallet staked 12.50, rolled 2.50 back and paid 25.00 (its webhook).
    lines += [f"GGR -15.00 {CURRENCY} today"] if on("reporting") and on("operator_wallet") else []
    if on("operator_wallet") and on("leaderboards"):
        lines += [f"the operator's wallet received the signed bonus credit 10.00 {CURRENCY}"]
    lines += [f"welcome-bonus: +100.00 {CURRENCY} bonus balance"] if on("promotions") else []
    lines += [f"a 6.00 {CURRENCY} bet refused (limit_exceeded"] if on("responsible_gaming") else []
    if on("wallet"):
        lines += [f"ledger sum 107.00 {CURRENCY} = cash balance 107.00 {CURRENCY}: balanced"]
    if on("sessions") and on("wallet"):
        lines += [f"counted 2 bets, 8.00 {CURRENCY} staked, 12.00 {CURRENCY} won"]
    return lines


class UnreachableRun:
    """A local run whose issuer cannot be reached."""

    api_url = "http://127.0.0.1:9"
    definition = None

    def token(self, subject: str, scopes: Iterable[str] = ()) -> str:
        raise OSError("connection refused")


def test_modules_steps_take_their_places_around_the_sign_in_and_the_workers() -> None:
    first = ModuleTools(demo_steps=lambda _: [Step(900, "last", str), Step(100, "early", str)])
    second = ModuleTools(demo_steps=lambda _: [Step(100, "early too", str), Step(600, "after", str)])
    journey = Journey(cast(LocalRun, UnreachableRun()), parts=[first, second])

    titles = [title for title, _ in journey_steps(journey)]

    # Equal places keep the modules' order (the registry's), each module's own order within.
    assert titles == ["sign in", "early", "early too", "workers", "after", "last"]


def test_every_module_with_tools_pieces_brings_them() -> None:
    parts = contributions()

    with_tools = [
        name for name in registry.MODULES if (PROJECT_ROOT / "tools" / "modules" / f"{name}.py").exists()
    ]
    assert len(parts) == len(with_tools)
    assert all(isinstance(part, ModuleTools) for part in parts)


def test_a_failing_step_ends_the_journey_as_failed() -> None:
    out = io.StringIO()

    passed = play(cast(LocalRun, UnreachableRun()), out)

    assert passed is False
    assert out.getvalue().strip() == "1. sign in           FAILED: connection refused"


def test_demo_plays_the_journey_and_stops_every_server() -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "tools.demo"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT_SECONDS,
        check=False,
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    steps = re.findall(r"^\s*\d+\. (\S+(?: \S+)?)\s{2,}", result.stdout, flags=re.MULTILINE)
    assert steps == expected_steps(), result.stdout
    for line in expected_lines():
        assert line in result.stdout, result.stdout
    assert "FAILED" not in result.stdout
    for url in re.findall(r"(?:moto server|API) (http://127\.0\.0\.1:\d+)", result.stdout):
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(url + "/", timeout=2)  # noqa: S310 - local http
    print(f"\ndemo: {time.monotonic() - started:.1f} s")
