"""Server-to-server calls: the payment provider, the game server, the KYC provider, the operator's platform.

Each server caller has its own identity, never a player's: an OAuth client id on the allow-list of its
routes (serverless.yml's serverJwt authorizer checks the token; this module checks which client may call
which route) and the scope of those routes. Each request is also signed, Stripe-style (domain/signing.py):

    x-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<METHOD>.<path>." + raw body>

The signature covers the time, the method, the path and the body, so a signed request cannot be sent
again later (outside the replay window), to another route, or with another body; the body names the
player, the kind of operation and its amounts, so a signed body cannot be spent on another player
either. During a key rotation two keys are accepted (the current and the previous one); a caller with
no key configured is refused, never let through unsigned.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import request

from ..domain.errors import DomainError

# The scheme's one implementation is domain/signing.py; its header and `sign` stay importable from here.
from ..domain.signing import SIGNATURE_HEADER as SIGNATURE_HEADER
from ..domain.signing import SIGNATURE_VERSION, signed_payload
from ..domain.signing import sign as sign
from ..observability import add_metric, get_logger
from .context import (
    Forbidden,
    ServerCaller,
    Unauthorized,
    current_services,
    require_scope,
    token_claims,
    token_client_id,
)
from .schemas import Body, json_body

# Default replay window (seconds either side of the server's clock): Stripe's tolerance.
DEFAULT_TOLERANCE_SECONDS = 300
# The callers, by the names Services.server_callers uses.
PAYMENT_PROVIDER = "payment_provider"
GAME_SERVER = "game_server"
KYC_PROVIDER = "kyc_provider"
OPERATOR_PLATFORM = "operator_platform"
CALLER_LABELS = {
    PAYMENT_PROVIDER: "payment provider",
    GAME_SERVER: "game server",
    KYC_PROVIDER: "KYC provider",
    OPERATOR_PLATFORM: "operator's platform",
}
# Longest header accepted: a timestamp and a few signatures (several during a rotation).
MAX_HEADER_LENGTH = 1024


class InvalidSignature(DomainError):
    """A server call without a valid, current signature of one of its caller's keys."""

    code = "invalid_signature"
    status = 401


class SigningKeyMissing(DomainError):
    """The caller's signing key is not configured: the route is closed until it is (an operator's fix)."""

    code = "signing_key_missing"
    status = 503


class KeyNotStored(LookupError):
    """A caller's current key is named in the settings but not in the secret store (RotatingKeys)."""


class PlayerMismatch(DomainError):
    """The signed body is for another player than the route names."""

    code = "player_mismatch"
    status = 403


def server_call(caller_name: str) -> Body:
    """The JSON body of a request from `caller_name`, once its token, scope and signature are checked.

    401 without a token, 403 for another client's token (a player's included) or a missing scope,
    503 when the caller has no key configured, 401 for a bad, stale or missing signature.
    """
    if token_claims() is None:
        raise Unauthorized(f"this route needs the {CALLER_LABELS[caller_name]}'s token")
    caller = current_services().server_callers.get(caller_name)
    if caller is None or token_client_id() not in caller.client_ids:
        raise Forbidden(f"only the {CALLER_LABELS[caller_name]}'s client may call this route")
    require_scope(caller.scope)
    _verify_signature(caller_name, caller)
    return json_body()


def require_same_player(signed: str, route: str) -> None:
    """Refuse a signed body whose player is not the route's."""
    if signed != route:
        raise PlayerMismatch("the signed body is for another player than the route", field="player_id")


def _verify_signature(caller_name: str, caller: ServerCaller) -> None:
    keys = _signing_keys(caller_name, caller)
    timestamp, signatures = _parse_header(request.headers.get(SIGNATURE_HEADER, ""))
    tolerance = current_services().signature_tolerance_seconds
    if abs(time.time() - timestamp) > tolerance:
        add_metric("SignaturesRefused")
        raise InvalidSignature(
            f"the {SIGNATURE_HEADER} timestamp is more than {tolerance} seconds from now; "
            "sign the request again"
        )
    body = request.get_data(cache=True)  # kept for json_body, which reads it next
    payload = signed_payload(timestamp, request.method, request.path, body)
    expected = [hmac.new(key.encode(), payload, hashlib.sha256).hexdigest().encode() for key in keys]
    # Every pair is compared (no early exit): the time taken says nothing about which key came close.
    matches = [hmac.compare_digest(given, wanted) for given in signatures for wanted in expected]
    if not any(matches):
        add_metric("SignaturesRefused")
        raise InvalidSignature(f"this request needs a valid {SIGNATURE_HEADER} header of the caller's key")


def _signing_keys(caller_name: str, caller: ServerCaller) -> tuple[str, ...]:
    """The caller's keys; a key not named in the settings, or named but not in the secret store yet,
    refuses the call as missing (503), never as a server error."""
    try:
        if caller.signing_keys is None:
            raise KeyNotStored("no key setting")
        return caller.signing_keys()
    except KeyNotStored as missing:
        # Fails closed, loudly: the error line and the metric feed an alarm; the 503 feeds the 5xx alarm.
        get_logger().error(
            "server call refused: no signing key configured",
            extra={"caller": caller_name, "reason": str(missing)},
        )
        add_metric("SigningKeyMissing")
        raise SigningKeyMissing(
            f"the {CALLER_LABELS[caller_name]}'s signing key is not configured; nothing is accepted unsigned"
        ) from None


def _parse_header(header: str) -> tuple[int, list[bytes]]:
    """The header's timestamp and v1 signatures; refuses a header without both."""
    timestamp: int | None = None
    signatures: list[bytes] = []
    if len(header) <= MAX_HEADER_LENGTH:
        for part in header.split(","):
            name, _, value = part.strip().partition("=")
            if name == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
                timestamp = int(value)
            elif name == SIGNATURE_VERSION and value:
                signatures.append(value.encode())
    if timestamp is None or not signatures:
        add_metric("SignaturesRefused")
        raise InvalidSignature(
            f"this request needs a {SIGNATURE_HEADER} header: "
            f"t=<unix seconds>,{SIGNATURE_VERSION}=<hex HMAC-SHA256>"
        )
    return timestamp, signatures


@dataclass
class RotatingKeys:
    """The current signing key and, during a rotation, the previous one, from the secret store.

    `previous` may be missing (outside a rotation): a missing previous key is asked for again only after
    `recheck_seconds`, so a request does not pay a secret-store call for a key that is not there.
    """

    current: Callable[[], str]
    previous: Callable[[], str] | None = None
    missing: tuple[type[Exception], ...] = ()
    recheck_seconds: float = 300.0
    monotonic: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._previous_missing_since: float | None = None
        self._lock = threading.Lock()

    def __call__(self) -> tuple[str, ...]:
        try:
            keys = [self.current()]
        except self.missing as error:
            raise KeyNotStored(str(error)) from error
        previous = self._previous()
        if previous and previous != keys[0]:
            keys.append(previous)
        return tuple(keys)

    def _previous(self) -> str | None:
        if self.previous is None:
            return None
        with self._lock:
            since = self._previous_missing_since
            if since is not None and self.monotonic() - since < self.recheck_seconds:
                return None
            try:
                value = self.previous()
            except self.missing:
                self._previous_missing_since = self.monotonic()
                return None
            self._previous_missing_since = None
            return value


def caller_of(
    scope: str, client_ids: tuple[str, ...], keys: Callable[[], tuple[str, ...]] | None
) -> ServerCaller:
    """A ServerCaller from its settings."""
    return ServerCaller(scope=scope, client_ids=frozenset(client_ids), signing_keys=keys)
