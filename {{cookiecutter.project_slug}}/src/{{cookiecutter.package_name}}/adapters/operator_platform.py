"""The operator's seamless-wallet API over HTTPS: bonus credits, signed, retried, idempotent.

Every request is signed with the scheme the API checks on its own server callers (domain/signing.py:
HMAC over the time, the method, the path and the body; the operator's side refuses a signature outside
its replay window) and carries the credit's transaction id as its `Idempotency-Key`, so a retry after a
timeout credits the bonus once. A timeout, a connection error or a 5xx is retried with a growing pause;
a 4xx is final. Plain HTTP is refused except to this machine (the local fake platform, tools/).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from ..domain.errors import CurrencyMismatch, TransactionConflict
from ..domain.guard import ExcludedFromBonuses
from ..domain.operator_wallet import BonusCredit, OperatorRefused, OperatorUnavailable
from ..domain.signing import SIGNATURE_HEADER, sign

BONUS_CREDITS_PATH = "/bonus-credits"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# What the operator answers for a player it will not give a bonus to (self-excluded, cooling off).
EXCLUDED_CODE = "player_excluded"
# ... for a bonus in another currency than the player's wallet, and for an idempotency key used with
# another bonus: the refusals the hosted wallet makes (CurrencyMismatch, TransactionConflict).
CURRENCY_MISMATCH_CODE = "currency_mismatch"
KEY_REUSED_CODE = "idempotency_key_reused"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Well inside the worker's 30-second timeout: three tries and their pauses.
DEFAULT_TIMEOUT_SECONDS = 5.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF_SECONDS = 0.5

Opener = Callable[[urllib.request.Request, float], Any]


def _urlopen(request: urllib.request.Request, timeout: float) -> Any:
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (https, or http to this machine: checked by the client)


class OperatorPlatformClient:
    """Credits bonuses on the operator's wallet at `base_url`, signed with the key `signing_key` returns."""

    def __init__(
        self,
        base_url: str,
        signing_key: Callable[[], str],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        opener: Opener | None = None,
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        local = parsed.hostname in LOCAL_HOSTS
        if parsed.scheme != "https" and not (parsed.scheme == "http" and local):
            # The grant and its signature must not travel in clear text (a local fake is the exception).
            raise ValueError(f"the operator's wallet URL must be https:// (got {base_url!r})")
        self._base_url = base_url.rstrip("/")
        self._base_path = parsed.path.rstrip("/")
        self._signing_key = signing_key
        self._timeout = timeout
        self._attempts = attempts
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self._open: Opener = opener or _urlopen

    def credit_bonus(self, credit: BonusCredit) -> None:
        body = json.dumps(credit.as_json(), sort_keys=True, separators=(",", ":")).encode()
        last: str = "no attempt made"
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                self._send(body, credit)
                return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    self._refused(error)
                last = f"HTTP {error.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                last = type(error).__name__
        raise OperatorUnavailable(
            f"the operator's wallet did not credit the bonus after {self._attempts} tries ({last})"
        )

    def _send(self, body: bytes, credit: BonusCredit) -> None:
        # Signed afresh on every try: a retry after a slow answer stays inside the replay window.
        path = self._base_path + BONUS_CREDITS_PATH
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self._base_url + BONUS_CREDITS_PATH,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(self._signing_key(), int(self._clock()), "POST", path, body),
                IDEMPOTENCY_HEADER: credit.transaction_id,
                "x-correlation-id": credit.correlation_id,
            },
        )
        with self._open(request, self._timeout) as response:
            response.read()

    @staticmethod
    def _refused(error: urllib.error.HTTPError) -> None:
        try:
            answer = json.loads(error.read() or b"{}")
        except ValueError:
            answer = {}
        code = answer.get("code") if isinstance(answer, dict) else None
        if code == EXCLUDED_CODE:
            raise ExcludedFromBonuses("the operator refused the bonus: the player is excluded")
        if code == CURRENCY_MISMATCH_CODE:
            raise CurrencyMismatch(
                "the operator refused the bonus: the player's wallet is in another currency"
            )
        if code == KEY_REUSED_CODE:
            raise TransactionConflict(
                "the operator refused the bonus: its transaction id was used with another bonus",
                field="transaction_id",
            )
        raise OperatorRefused(
            f"the operator's wallet refused the bonus: HTTP {error.code} {code or ''}".rstrip()
        )
