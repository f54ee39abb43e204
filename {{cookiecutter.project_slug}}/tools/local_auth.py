"""A local JWT issuer for development tokens, and stand-ins for the servers that call the API.

LocalIssuer signs with HS256 and a random key made for each run: a token from one run is worthless in
the next and no secret is stored anywhere. The provider's local gateway checks its tokens in front of
the app as the cloud's API gateway would (on AWS tools/aws/gateway.py, the HTTP API's JWT authorizer;
on GCP tools/gcp/gateway.py, API Gateway's JWT check), and serves its token route; both bind to
127.0.0.1 only (tools/dev.py): anyone who can reach the issuer can mint a token for any player.

    POST /local-auth/token  {"sub": "player-1", "scopes": []}  ->  {"access_token": ...}
    POST /local-auth/token  {"sub": "<client>", "client_id": "<client>", "scopes": ["wallet:credit"]}

A server caller's token (the payment provider's, the game server's, the KYC provider's) names its OAuth
client; ServerStandIns stand in for those servers: they also sign each call with this run's keys.
"""

from __future__ import annotations

import json
import re
import secrets
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

ISSUER_PATH = "/local-auth"
TOKEN_PATH = f"{ISSUER_PATH}/token"
AUDIENCE = "local-dev"
TOKEN_TTL_SECONDS = 3600
# What the token route (the provider's local gateway) accepts.
MAX_TOKEN_REQUEST_BYTES = 4096
# Longest `sub` the API accepts (api/context.py MAX_PLAYER_ID_LENGTH).
MAX_SUBJECT_LENGTH = 256
SCOPE_RE = re.compile(r"[A-Za-z0-9:._/-]{1,64}")
CLIENT_ID_RE = re.compile(r"[A-Za-z0-9:._/-]{1,128}")
# The server callers' routes (api/server_calls.py): (method, path pattern) -> (caller, the `kind` its
# signed body names; None: none). A route of a module that is off is never called.
SERVER_ROUTES: dict[tuple[str, str], tuple[str, str | None]] = {
    ("POST", "/wallet/deposits"): ("payment_provider", "deposit"),
    ("POST", "/wallet/withdrawals"): ("payment_provider", "withdrawal"),
    ("POST", "/wallet/wins"): ("game_server", "win"),
    ("POST", "/wallet/rollbacks"): ("game_server", "rollback"),
    ("POST", "/players/(?P<player>[^/]+)/kyc"): ("kyc_provider", None),
    ("POST", "/platform/events"): ("operator_platform", None),
}


class LocalIssuer:
    """Issues and verifies HS256 access tokens for one local run.

    `client_claim`: where a server caller's token names its OAuth client, as the cloud's identity
    provider puts it (Cognito's `client_id`; Entra ID's `azp`).
    """

    def __init__(self, key: bytes, issuer_url: str, client_claim: str = "client_id") -> None:
        self.key = key
        self.issuer_url = issuer_url
        self.client_claim = client_claim

    @classmethod
    def with_random_key(cls, issuer_url: str, client_claim: str = "client_id") -> LocalIssuer:
        return cls(secrets.token_bytes(32), issuer_url, client_claim)

    def issue(
        self,
        subject: str,
        scopes: Iterable[str] = (),
        ttl_seconds: int = TOKEN_TTL_SECONDS,
        client_id: str | None = None,
    ) -> str:
        """An access token for `subject` (a player id, or a server's client) carrying `scopes`."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer_url,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
            "token_use": "access",
        }
        scope = " ".join(scopes)
        if scope:
            claims["scope"] = scope
        if client_id is not None:
            claims[self.client_claim] = client_id
        return jwt.encode(claims, self.key, algorithm="HS256")

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; raises jwt.PyJWTError if it is not a valid token of this issuer."""
        claims: dict[str, Any] = jwt.decode(
            token,
            self.key,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=self.issuer_url,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        return claims


StartResponse = Callable[..., Any]


def token_route(issuer: LocalIssuer, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    """The issuer's token route (TOKEN_PATH) as WSGI: a JSON body of `sub`, `scopes` and an optional
    `client_id` in, `{"access_token": ...}` out; each field checked, 400 naming the one that is wrong."""
    if environ.get("REQUEST_METHOD") != "POST":
        return json_response(start_response, 405, {"message": "POST a JSON object to get a token"})
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_TOKEN_REQUEST_BYTES)
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except (ValueError, UnicodeDecodeError):
        return json_response(start_response, 400, {"message": "the body must be a JSON object"})
    subject = request.get("sub") if isinstance(request, dict) else None
    scopes = request.get("scopes", []) if isinstance(request, dict) else None
    client_id = request.get("client_id") if isinstance(request, dict) else None
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT_LENGTH:
        return json_response(
            start_response, 400, {"message": f"sub must be 1-{MAX_SUBJECT_LENGTH} characters"}
        )
    if not isinstance(scopes, list) or not all(isinstance(s, str) and SCOPE_RE.fullmatch(s) for s in scopes):
        return json_response(start_response, 400, {"message": "scopes must be a list of scope names"})
    if client_id is not None and not (isinstance(client_id, str) and CLIENT_ID_RE.fullmatch(client_id)):
        return json_response(start_response, 400, {"message": "client_id must be a client's id"})
    token = issuer.issue(subject, scopes, client_id=client_id)
    return json_response(
        start_response, 200, {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_TTL_SECONDS}
    )


def request_token(
    api_url: str, subject: str, scopes: Iterable[str] = (), client_id: str | None = None
) -> str:
    """A token from a local run's issuer route (TOKEN_PATH at `api_url`), as a client would get it."""
    claims: dict[str, Any] = {"sub": subject, "scopes": list(scopes)}
    if client_id is not None:
        claims["client_id"] = client_id
    request = urllib.request.Request(  # noqa: S310 - local http
        api_url + TOKEN_PATH,
        data=json.dumps(claims).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local http
        token: str = json.load(response)["access_token"]
    return token


def json_response(start_response: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
    """A JSON answer of the local gateway's own (never cached)."""
    payload = json.dumps(body).encode()
    reasons = {
        200: "OK",
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        405: "Method Not Allowed",
    }
    start_response(
        f"{status} {reasons[status]}",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [payload]


@dataclass(frozen=True)
class ServerCall:
    """A server caller's request, ready to send: its body, its signature header and its client id."""

    caller: str
    body: bytes
    headers: dict[str, str]
    client_id: str


class ServerStandIns:
    """Stand-ins for the payment provider, the game server, the KYC provider, the operator's platform here.

    Each uses its OAuth client id and signs with its key, the way the real server would; `sign` is the
    API's own signing function (api/server_calls.py), so the stand-ins follow the scheme the API checks.
    """

    def __init__(
        self,
        clients: Mapping[str, str],
        keys: Mapping[str, str],
        sign: Callable[[str, int, str, str, bytes], str],
        header: str,
    ) -> None:
        self.clients = dict(clients)
        self.keys = dict(keys)
        self._sign = sign
        self._header = header

    @classmethod
    def of_api(
        cls,
        environment: Mapping[str, str],
        parameters: Mapping[str, str],
        sign: Callable[[str, int, str, str, bytes], str],
        header: str,
    ) -> ServerStandIns:
        """The callers the API's `environment` names, their keys among `parameters` (the run's secrets)."""
        clients: dict[str, str] = {}
        keys: dict[str, str] = {}
        for caller in {caller for caller, _ in SERVER_ROUTES.values()}:
            client = environment.get(f"{caller.upper()}_CLIENT_IDS", "").split(",")[0].strip()
            # The name of the key's secret: an SSM parameter on AWS, a Secret Manager secret on GCP.
            name = environment.get(f"{caller.upper()}_KEY_PARAMETER") or environment.get(
                f"{caller.upper()}_KEY_SECRET"
            )
            key = parameters.get(name or "")
            if client and key:
                clients[caller], keys[caller] = client, key
        return cls(clients, keys, sign, header)

    @staticmethod
    def route(method: str, path: str) -> tuple[str, str | None, str | None] | None:
        """(caller, kind, the player the path names) of a server route; None for a player's route."""
        for (route_method, pattern), (caller, kind) in SERVER_ROUTES.items():
            found = re.fullmatch(pattern, path)
            if route_method == method and found is not None:
                return caller, kind, found.groupdict().get("player")
        return None

    def call(
        self,
        method: str,
        path: str,
        body: Any,
        player: str,
        *,
        caller: str | None = None,
        at: int | None = None,
    ) -> ServerCall:
        """The server's request for `player`: `player_id` and `kind` added to a JSON object body, signed."""
        route = self.route(method, path)
        if route is None:
            raise ValueError(f"{method} {path} is not a server caller's route")
        route_caller, kind, path_player = route
        caller = caller or route_caller
        if isinstance(body, dict):
            body = {"player_id": path_player or player, **({"kind": kind} if kind else {}), **body}
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return ServerCall(caller, raw, self.headers(caller, method, path, raw, at=at), self.clients[caller])

    def headers(
        self, caller: str, method: str, path: str, body: bytes, *, at: int | None = None
    ) -> dict[str, str]:
        """The signature header of `caller` for one request, made now (or at the unix time `at`)."""
        timestamp = int(time.time()) if at is None else at
        return {self._header: self._sign(self.keys[caller], timestamp, method, path, body)}
