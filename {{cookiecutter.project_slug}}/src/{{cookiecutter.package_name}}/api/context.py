"""What a request needs to know: the services, the signed-in player and the correlation id."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from flask import current_app, g, request

from ..domain.errors import DomainError

if TYPE_CHECKING:
    from flask import Blueprint

    from ..ports import EventPublisher
    from ..settings import Settings

SERVICES_KEY = "{{ cookiecutter.package_name }}.services"
# Longest `sub` claim accepted; identity providers issue far shorter ones.
MAX_PLAYER_ID_LENGTH = 256

# Where the routes read a verified token's claims and scopes: the key serverless-wsgi fills on AWS; on
# GCP and Azure the front door (api/gcp.py, api/azure.py) fills it from its platform's header.
AUTHORIZER_KEY = "serverless.authorizer"


def scopes_in(claims: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
    """A token's scopes from its claims `names`, each a space-separated string or a list of them."""
    scopes: list[str] = []
    for name in names:
        value = claims.get(name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                scopes.extend(item.split())
    return scopes


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
class ModuleApi:
    """What a module's API file (api/<module>.py, its `API`) adds to the app: its routes, and fields of
    other modules' views."""

    blueprint: Blueprint
    # Fields this module adds to another module's JSON view, by view name ("session"): the view's object
    # in, the added fields out.
    extends: Mapping[str, Callable[[Any], Mapping[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Services:
    """The services the API calls, built once per process: the core ones, and each module's own."""

    cors_allowed_origins: tuple[str, ...] = ()
    # Where the API publishes its own events (PlayerSignInFailed, for the audit trail).
    events: EventPublisher | None = None
    # The servers that may call the API, by name (api/server_calls.py); none: no server route answers.
    server_callers: Mapping[str, ServerCaller] = field(default_factory=dict)
    # How old a server call's signature may be (seconds either way): the replay window.
    signature_tolerance_seconds: int = 300
    # Each module's own service by module name (registry.MODULES); the module's API file reads it typed.
    modules: Mapping[str, object] = field(default_factory=dict)
    # The core settings the services were built from (read once per process): a module's service reads
    # its table and event source here instead of reading the environment again.
    core_settings: Settings | None = None

    def publisher(self) -> EventPublisher:
        """The bus a module's service publishes on: a module's service is never built without one."""
        if self.events is None:
            raise RuntimeError("the core services have no events publisher")
        return self.events

    def settings(self) -> Settings:
        """The core settings a module's service is built from: never built without them."""
        if self.core_settings is None:
            raise RuntimeError("the core services were built without settings")
        return self.core_settings

    def module(self, name: str) -> object | None:
        """The service of module `name`, or None when it is not built (or not part of the project)."""
        return self.modules.get(name)

    def with_modules(self, **services: object) -> Services:
        """These services with the given modules' services added or replaced."""
        return replace(self, modules={**self.modules, **services})


@dataclass(frozen=True)
class ModuleService:
    """How one module's service is built from the core services, on the first request that needs it."""

    build: Callable[[Services], object]
    # Modules whose service `build` reads (built first, when they are part of the project): the wallet
    # reads player protection's guard, for one.
    needs: tuple[str, ...] = ()


# Builds one module's service from the core services (and the services of the modules it needs).
ServiceBuilder = ModuleService | Callable[[Services], object]


class LazyServices:
    """Holds the services, building them on first use (not at import: cold starts stay short).

    The core services are built on the first request that needs services; a module's own service
    (given in `modules`, by module name) on the first request to that module's routes. A cold start
    then loads and builds only what its request uses.
    """

    def __init__(
        self, services: Services | Callable[[], Services], modules: Mapping[str, ServiceBuilder] | None = None
    ) -> None:
        self._services = services if isinstance(services, Services) else None
        self._build = None if isinstance(services, Services) else services
        self._modules = {
            name: builder if isinstance(builder, ModuleService) else ModuleService(builder)
            for name, builder in (modules or {}).items()
        }
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
                for name in self._missing(self._services, modules):
                    self._build_module(name)
                services = self._services
        return services

    def _build_module(self, name: str) -> None:
        # Called under the lock, with the core services built.
        assert self._services is not None
        builder = self._modules[name]
        for needed in self._missing(self._services, builder.needs):
            self._build_module(needed)
        self._services = self._services.with_modules(**{name: builder.build(self._services)})

    def _missing(self, services: Services, modules: tuple[str, ...]) -> list[str]:
        return [name for name in modules if name in self._modules and services.module(name) is None]


def current_services(*modules: str) -> Services:
    """The services of the app handling this request, with those of `modules` built."""
    holder: LazyServices = current_app.extensions[SERVICES_KEY]
    return holder.get(*modules)


def module_service(name: str) -> object:
    """The service of module `name` for this request, built on first use (its API file casts it)."""
    service = current_services(name).module(name)
    if service is None:
        raise RuntimeError(f"the app was created without the {name} service")
    return service


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
    authorizer: Any = request.environ.get(AUTHORIZER_KEY)
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
    authorizer: Any = request.environ.get(AUTHORIZER_KEY)
    jwt = authorizer.get("jwt") if isinstance(authorizer, dict) else None
    scopes = jwt.get("scopes") if isinstance(jwt, dict) else None
    if not isinstance(scopes, list) or scope not in scopes:
        raise Forbidden(f"this route needs a token with the {scope!r} scope")


def current_correlation_id() -> str:
    """The correlation id of this request (set before the view runs)."""
    correlation_id: str = g.correlation_id
    return correlation_id
