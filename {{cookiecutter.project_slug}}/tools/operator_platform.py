"""A fake of the operator's platform on this machine, for the hybrid mode's tests, `make dev` and `make demo`.

The real platform is the operator's own wallet and player-account system (in New Jersey, in Atlantic
City). This fake plays both of its parts with the project's own signing scheme (domain/signing.py):

- its wallet's bonus-credit API: POST /bonus-credits checks the signature (time, method, path, body;
  a replay window), takes each `Idempotency-Key` once (a replay answers 200 and credits nothing; the
  same key with another body, 409 `idempotency_key_reused`), refuses excluded players (409
  `player_excluded`) and, given the players' wallet currency, a bonus in another (409
  `currency_mismatch`), and records
  every credit; GET /bonus-credits lists them. `fail_next` and `delay` make it fail or stall, for the
  adapter's retry and timeout tests;
- its event sender: `platform_event` builds a bet, win or rollback event and `signed_event` signs it
  for the project's webhook (POST /platform/events).

Run alone: `python -m tools.operator_platform --port 8790` with the stack's operator-wallet key in
$OPERATOR_PLATFORM_FAKE_KEY (or `--key`).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any

from tools.local import stop_process
from tools.project import PROJECT_ROOT, use_source_tree

use_source_tree()
from {{ cookiecutter.package_name }}.domain.signing import (  # noqa: E402 (after the source tree is on the path)
    SIGNATURE_HEADER,
    SIGNATURE_VERSION,
    sign,
    signature,
)

BONUS_CREDITS_PATH = "/bonus-credits"
EVENTS_PATH = "/platform/events"
DEFAULT_TOLERANCE_SECONDS = 300
# The key reaches the fake's process through its environment, never its command line.
KEY_VARIABLE = "OPERATOR_PLATFORM_FAKE_KEY"
START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 5.0


class FakeOperatorPlatform:
    """The operator's wallet API on 127.0.0.1: it records bonus credits signed with `wallet_key`."""

    def __init__(
        self,
        wallet_key: str,
        *,
        excluded: frozenset[str] = frozenset(),
        currency: str | None = None,
        tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        self.wallet_key = wallet_key
        self.excluded = excluded
        self.currency = currency  # the players' wallet currency; None: any
        self.tolerance_seconds = tolerance_seconds
        self.credits: dict[str, dict[str, Any]] = {}  # by idempotency key, in arrival order
        self.attempts = 0  # every request to /bonus-credits, refused ones included
        self.fail_next = 0  # answer this many requests with 503 first
        self.delay = 0.0  # seconds to wait before answering
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake platform first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1 (`port` 0: any free one) in a background thread; the URL."""
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="operator-platform", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        """The platform's answer to a bonus credit: (HTTP status, JSON body)."""
        with self._lock:
            self.attempts += 1
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, {"code": "unavailable"}
        if not self._signed(path, headers.get(SIGNATURE_HEADER, ""), body):
            return 401, {"code": "invalid_signature"}
        key = headers.get("idempotency-key", "")
        if not key:
            return 400, {"code": "idempotency_key_missing"}
        try:
            credit = json.loads(body)
        except ValueError:
            return 400, {"code": "invalid_json"}
        if not isinstance(credit, dict):
            return 400, {"code": "invalid_json"}
        if credit.get("player_id") in self.excluded:
            return 409, {"code": "player_excluded"}
        if self.currency is not None and credit.get("currency") != self.currency:
            return 409, {"code": "currency_mismatch"}
        with self._lock:
            earlier = self.credits.get(key)
            if earlier is None:
                self.credits[key] = credit
                return 201, {"credited": True, **credit}
        if earlier != credit:
            return 409, {"code": "idempotency_key_reused"}
        return 200, {"credited": False, **credit}

    def _signed(self, path: str, header: str, body: bytes) -> bool:
        parts = dict(part.partition("=")[::2] for part in header.split(",") if "=" in part)
        stamp, given = parts.get("t", ""), parts.get(SIGNATURE_VERSION, "")
        if not stamp.isdigit() or not given or abs(time.time() - int(stamp)) > self.tolerance_seconds:
            return False
        return hmac.compare_digest(given, signature(self.wallet_key, int(stamp), "POST", path, body))


def _handler(platform: FakeOperatorPlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if platform.delay:
                time.sleep(platform.delay)
            if self.path != BONUS_CREDITS_PATH:
                self._reply(404, {"code": "not_found"})
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._reply(*platform.answer(self.path, headers, body))

        def do_GET(self) -> None:
            if self.path != BONUS_CREDITS_PATH:
                self._reply(404, {"code": "not_found"})
                return
            self._reply(200, {"credits": list(platform.credits.values())})

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                return  # the caller gave up waiting (its timeout): no one to answer

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests and the demo print what matters."""

    return Handler


def platform_event(
    kind: str, player_id: str, transaction_id: str, amount: int, currency: str, **extra: Any
) -> dict[str, Any]:
    """A money event of the operator's wallet as its webhook body; a resend has the same event id."""
    body: dict[str, Any] = {
        "type": kind,
        "player_id": player_id,
        "transaction_id": transaction_id,
        "amount": amount,
        "currency": currency,
        "occurred_at": datetime.now(UTC).isoformat(),
        **extra,
    }
    digest = hashlib.sha256(f"{kind}:{player_id}:{transaction_id}".encode()).hexdigest()[:24]
    return {"event_id": f"op-{digest}", **body}


def signed_event(key: str, event: dict[str, Any], *, at: int | None = None) -> tuple[bytes, dict[str, str]]:
    """The webhook request's body and signature header, signed with the platform's key (now, or at `at`)."""
    body = json.dumps(event).encode()
    timestamp = int(time.time()) if at is None else at
    return body, {
        SIGNATURE_HEADER: sign(key, timestamp, "POST", EVENTS_PATH, body),
        "Content-Type": "application/json",
    }


class LocalPlatformProcess:
    """The fake platform as a server of a local run (`make dev`, `make demo`), stopped by its PID."""

    name = "operator platform (fake)"

    def __init__(self, key: str, log: IO[str] | None) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._key = key
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> LocalPlatformProcess:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "tools.operator_platform", "--port", str(self.port)],
            cwd=PROJECT_ROOT,
            env={**os.environ, KEY_VARIABLE: self._key},
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT if self._log is not None else None,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline and self.exit_code is None:
            try:
                with urllib.request.urlopen(self.url + BONUS_CREDITS_PATH, timeout=1):  # noqa: S310 - local http
                    return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the fake operator platform did not answer on {self.url}")

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self) -> None:
        """Terminate it by its PID, and kill it if it does not exit in time."""
        stop_process(self.process, STOP_TIMEOUT_SECONDS)


def local_environment(run: Any, function: Any) -> dict[str, str]:
    """A function's OPERATOR_WALLET_URL in a local run: the fake platform, started once for the run.

    It checks the bonus credits with the key the run made for the stack's operator-wallet key (an SSM
    parameter on AWS, a Secret Manager secret on GCP), and stops with the run's other servers (it is one
    of `run.children`).
    """
    # The function's variables as the stack defines them: AWS's stack resolves serverless.yml's
    # references (it has the SSM `parameters`); GCP's reads them from infra/ already resolved.
    environment = (
        run.stack.environment(function) if hasattr(run.stack, "parameters") else function.environment
    )
    if "OPERATOR_WALLET_URL" not in environment:
        return {}
    platform = next((child for child in run.children if isinstance(child, LocalPlatformProcess)), None)
    if platform is None:
        name = environment.get("OPERATOR_WALLET_KEY_PARAMETER") or environment.get(
            "OPERATOR_WALLET_KEY_SECRET", ""
        )
        key = run.secrets.get(name, "")
        if not key:
            return {}  # no function here signs credits: nothing to stand in for
        platform = LocalPlatformProcess(key, run.log).start()
        run.children.append(platform)
    return {"OPERATOR_WALLET_URL": platform.url}


def main() -> int:
    """Serve the fake platform until interrupted; print the credits it recorded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument(
        "--key", help=f"the key the stack signs bonus credits with (default: ${KEY_VARIABLE})"
    )
    args = parser.parse_args()
    key = args.key or os.environ.get(KEY_VARIABLE, "")
    if not key:
        parser.error(f"give --key or set {KEY_VARIABLE}")
    platform = FakeOperatorPlatform(key)
    print(f"operator platform (fake) on {platform.start(args.port)}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        platform.stop()
        print(json.dumps({"credits": list(platform.credits.values())}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
