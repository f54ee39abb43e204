"""What a request needs to know: the services, the signed-in player and the correlation id."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from flask import current_app, g, request

from ..domain.errors import DomainError

if TYPE_CHECKING:
{%- if cookiecutter.module_leaderboards %}
    from ..domain.leaderboards import LeaderboardService
{%- endif %}
{%- if cookiecutter.module_notifications %}
    from ..domain.notifications import NotificationService
{%- endif %}
{%- if cookiecutter.module_promotions %}
    from ..domain.promotions import PromotionBoard
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
    from ..domain.responsible_gaming import ProtectionService
{%- endif %}
{%- if cookiecutter.module_sessions %}
    from ..domain.sessions import SessionService
{%- endif %}
{%- if cookiecutter.module_wallet %}
    from ..domain.wallet import Wallet
{%- endif %}
    from ..ports import EventPublisher

SERVICES_KEY = "{{ cookiecutter.package_name }}.services"
# Longest `sub` claim accepted; identity providers issue far shorter ones.
MAX_PLAYER_ID_LENGTH = 256


# Scope a server caller's token needs to move money in or out of a wallet (deposits, withdrawals, wins,
# rollbacks). Only the payment provider's and the game server's clients get it (api/server_calls.py).
CREDIT_SCOPE = "wallet:credit"
# Claims that name the OAuth client a token was issued to (client credentials: Cognito's client_id,
# most other identity providers' azp).
CLIENT_ID_CLAIMS = ("client_id", "azp")


class Forbidden(DomainError):
    """The token is valid but may not call this route (another caller's route, or a missing scope)."""

    code = "forbidden"
    status = 403


class Unauthorized(DomainError):
    """No signed-in player on a player route."""

    code = "unauthorized"
    status = 401


@dataclass(frozen=True)
class ServerCaller:
    """A server that calls the API on its own identity, never a player's (payment provider, game server,
    KYC provider): its OAuth client ids, the scope its routes need and the keys that sign its requests."""

    scope: str
    client_ids: frozenset[str]
    # The current key first, then the previous one during a rotation. None: no key is configured, and
    # the caller's routes refuse every request (api/server_calls.py): signatures never fail open.
    signing_keys: Callable[[], tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Services:
    """The domain services the API calls, built once per process."""
{% if cookiecutter.module_wallet %}
    wallet: Wallet
{%- endif %}
{%- if cookiecutter.module_sessions %}
    sessions: SessionService
{%- endif %}
    cors_allowed_origins: tuple[str, ...] = ()
    # Where the API publishes its own events (PlayerSignInFailed, for the audit trail).
    events: EventPublisher | None = None
    # The servers that may call the API, by name (api/server_calls.py); none: no server route answers.
    server_callers: Mapping[str, ServerCaller] = field(default_factory=dict)
    # How old a server call's signature may be (seconds either way): the replay window.
    signature_tolerance_seconds: int = 300
{%- if cookiecutter.module_responsible_gaming %}
    # Players' limits, exclusions and KYC status (the wallet given to `wallet` enforces them).
    protection: ProtectionService | None = None
{%- endif %}
{%- if cookiecutter.module_promotions %}
    # The promotions running now and each player's grants (api/promotions.py).
    promotions: PromotionBoard | None = None
{%- endif %}
{%- if cookiecutter.module_notifications %}
    notifications: NotificationService | None = None
{%- endif %}
{%- if cookiecutter.module_leaderboards %}
    leaderboards: LeaderboardService | None = None
{%- endif %}


# Builds one module's service from the core services (its events publisher), on first use.
ServiceBuilder = Callable[[Services], Any]


class LazyServices:
    """Holds the services, building them on first use (not at import: cold starts stay short).

    The core services are built on the first request that needs services; a module's own service
    (given in `modules`, by its Services field) on the first request to that module's routes. A cold
    start then loads and builds only what its request uses.
    """

    def __init__(
        self, services: Services | Callable[[], Services], modules: Mapping[str, ServiceBuilder] | None = None
    ) -> None:
        self._services = services if isinstance(services, Services) else None
        self._build = None if isinstance(services, Services) else services
        self._modules = dict(modules or {})
        self._lock = threading.Lock()

    @property
    def modules(self) -> tuple[str, ...]:
        """The modules whose own service is built on first use."""
        return tuple(self._modules)

    def get(self, *modules: str) -> Services:
        """The services, with those of `modules` built if they are not yet."""
        services = self._services
        if services is None or self._missing(services, modules):
            with self._lock:
                if self._services is None:
                    assert self._build is not None
                    self._services = self._build()
                base = self._services
                built = {name: self._modules[name](base) for name in self._missing(base, modules)}
                if built:
                    self._services = replace(self._services, **built)
                services = self._services
        return services

    def _missing(self, services: Services, modules: tuple[str, ...]) -> list[str]:
        return [name for name in modules if name in self._modules and getattr(services, name) is None]


def current_services(*modules: str) -> Services:
    """The services of the app handling this request, with those of `modules` built."""
    holder: LazyServices = current_app.extensions[SERVICES_KEY]
    return holder.get(*modules)


def current_player_id() -> str:
    """The signed-in player: the `sub` claim the HTTP API's JWT authorizer verified.

    A server caller's token is refused here: the payment provider, the game server and the KYC provider
    never act as a player (a bet, a limit, a self-exclusion), whatever their token's subject.
    """
    claims = token_claims()
    subject = claims.get("sub") if claims is not None else None
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_PLAYER_ID_LENGTH:
        raise Unauthorized("a signed-in player is required")
    client_id = token_client_id()
    if client_id is not None and any(
        client_id in caller.client_ids for caller in current_services().server_callers.values()
    ):
        raise Forbidden("a server caller's token cannot act as a player; sign in as the player")
    return subject


def token_claims() -> dict[str, Any] | None:
    """The claims of the verified token, or None when the request carries none."""
    # serverless-wsgi puts the event's requestContext.authorizer in the WSGI environ as-is;
    # for a JWT authorizer (payload 2.0) it is {"jwt": {"claims": {...}, "scopes": [...]}}.
    authorizer: Any = request.environ.get("serverless.authorizer")
    jwt = authorizer.get("jwt") if isinstance(authorizer, dict) else None
    claims = jwt.get("claims") if isinstance(jwt, dict) else None
    return claims if isinstance(claims, dict) else None


def token_client_id() -> str | None:
    """The OAuth client the verified token was issued to, if it names one."""
    claims = token_claims() or {}
    for name in CLIENT_ID_CLAIMS:
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def require_scope(scope: str) -> None:
    """Refuse the request unless the verified token carries `scope`.

    The HTTP API's authorizer checks the same scopes on these routes; checking again here keeps the
    rule true wherever the app runs (locally, or behind another gateway).
    """
    authorizer: Any = request.environ.get("serverless.authorizer")
    jwt = authorizer.get("jwt") if isinstance(authorizer, dict) else None
    scopes = jwt.get("scopes") if isinstance(jwt, dict) else None
    if not isinstance(scopes, list) or scope not in scopes:
        raise Forbidden(f"this route needs a token with the {scope!r} scope")


def current_correlation_id() -> str:
    """The correlation id of this request (set before the view runs)."""
    correlation_id: str = g.correlation_id
    return correlation_id
