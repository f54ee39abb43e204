"""The Flask app: `create_app(services)` for tests and local runs, `app` for the Lambda function.

serverless-wsgi's handler imports `app` (custom.wsgi.app in serverless.yml) and feeds it each HTTP API
event. `app` builds its AWS adapters from the environment on the first request that needs them, so
importing this module opens no connections.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .. import snapstart  # noqa: F401 - registers the SnapStart hooks (docs/snapstart.md)
from ..domain.errors import DomainError
{%- if cookiecutter.module_responsible_gaming %}
from ..domain.responsible_gaming import ProtectionService
{%- endif %}
{%- if cookiecutter.module_sessions %}
from ..domain.sessions import SessionService
{%- endif %}
{%- if cookiecutter.module_wallet %}
from ..domain.wallet import Wallet
{%- endif %}
from ..observability import (
    CORRELATION_ID_HEADER,
    correlation_id_or,
    flush_metrics,
    get_logger,
    set_correlation_id,
)
{%- if cookiecutter.module_wallet %}
from ..settings import PACKAGE, ServerCallerSettings, Settings, SystemClock
{%- else %}
from ..settings import PACKAGE, Settings, SystemClock
{%- endif %}
from .context import (
{%- if cookiecutter.module_wallet %}
    CREDIT_SCOPE,
{%- endif %}
    SERVICES_KEY,
    LazyServices,
    ServerCaller,
    ServiceBuilder,
    Services,
    Unauthorized,
    current_services,
)
{%- if cookiecutter.module_responsible_gaming %}
from .responsible_gaming import KYC_SCOPE, protection_api
{%- endif %}
{%- if cookiecutter.module_wallet %}
{%- if cookiecutter.module_responsible_gaming %}
from .server_calls import GAME_SERVER, KYC_PROVIDER, PAYMENT_PROVIDER, RotatingKeys, caller_of
{%- else %}
from .server_calls import GAME_SERVER, PAYMENT_PROVIDER, RotatingKeys, caller_of
{%- endif %}
{%- endif %}
{%- if cookiecutter.module_sessions %}
from .sessions import sessions_api
{%- endif %}
{%- if cookiecutter.module_wallet %}
from .wallet import wallet_api
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
{#- responsible_gaming: imports (sorted above, before sessions) #}
{%- endif %}
{%- if cookiecutter.module_promotions %}

# isort: split
from .promotions import aws_promotion_board, promotions_api
{%- endif %}
{%- if cookiecutter.module_notifications %}

# isort: split
from .notifications import aws_notification_service, notifications_api
{%- endif %}
{%- if cookiecutter.module_leaderboards %}

# isort: split
from .leaderboards import aws_leaderboard_service, leaderboards_api
{%- endif %}

# Request bodies are a handful of ids and an amount; anything bigger is refused before parsing.
MAX_BODY_BYTES = 16 * 1024
CORS_ALLOWED_METHODS = "GET, POST, DELETE"
CORS_ALLOWED_HEADERS = f"authorization, content-type, {CORRELATION_ID_HEADER}"

__all__ = ["ServerCaller", "Services", "app", "aws_app", "aws_server_callers", "aws_services", "create_app"]


def create_app(
    services: Services | Callable[[], Services], modules: Mapping[str, ServiceBuilder] | None = None
) -> Flask:
    """The API with the given services (or a factory that builds them on first use).

    `modules` builds a module's own service (by its Services field) on the first request to its routes.
    """
    api = Flask(__name__)
    api.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    api.extensions[SERVICES_KEY] = LazyServices(services, modules)
    api.before_request(_start_request)
    api.after_request(_finish_request)
    api.teardown_request(_flush_metrics)
    api.register_error_handler(DomainError, _domain_error)
    api.register_error_handler(HTTPException, _http_error)
    api.register_error_handler(Exception, _unexpected_error)
    api.add_url_rule("/health", "health", _health, methods=["GET"])
{%- if cookiecutter.module_sessions %}
    api.register_blueprint(sessions_api)
{%- endif %}
{%- if cookiecutter.module_wallet %}
    api.register_blueprint(wallet_api)
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
    api.register_blueprint(protection_api)
{%- endif %}
{%- if cookiecutter.module_promotions %}
    api.register_blueprint(promotions_api)
{%- endif %}
{%- if cookiecutter.module_notifications %}
    api.register_blueprint(notifications_api)
{%- endif %}
{%- if cookiecutter.module_leaderboards %}
    api.register_blueprint(leaderboards_api)
{%- endif %}
    return api


def _health() -> dict[str, str]:
    return {"status": "ok"}


def _start_request() -> None:
    g.started = time.perf_counter()
    event: Any = request.environ.get("serverless.event")
    context = event.get("requestContext") if isinstance(event, dict) else None
    request_id = context.get("requestId") if isinstance(context, dict) else None
    g.request_id = correlation_id_or(request_id, uuid.uuid4().hex)
    g.correlation_id = correlation_id_or(request.headers.get(CORRELATION_ID_HEADER), g.request_id)
    set_correlation_id(g.correlation_id)


def _finish_request(response: Response) -> Response:
    response.headers[CORRELATION_ID_HEADER] = g.get("correlation_id", "")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    _allow_cors(response)
    route = request.url_rule.rule if request.url_rule is not None else None
    # Ids and outcomes only: no bodies, no claims, no personal data (the correlation id is on every line).
    get_logger().info(
        "request handled",
        extra={
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "error_code": g.get("error_code"),
            "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
        },
    )
    return response


def _flush_metrics(_error: BaseException | None) -> None:
    flush_metrics()


def _allow_cors(response: Response) -> None:
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not origin:
        return
    try:
        allowed = current_services().cors_allowed_origins
    except Exception:  # the services could not be built; the error is already logged
        allowed = ()
    # CORS is an allow-list of exact origins, never "*": other sites must not call the API from a browser.
    if origin not in allowed:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = CORRELATION_ID_HEADER
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = CORS_ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = CORS_ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"


def _error(status: int, code: str, message: str, field: str | None = None) -> tuple[Response, int]:
    g.error_code = code
    return jsonify({"error": {"code": code, "message": message, "field": field}}), status


def _domain_error(error: DomainError) -> tuple[Response, int]:
    if isinstance(error, Unauthorized):
        _audit_failed_sign_in(error)
    return _error(error.status, error.code, error.message, error.field)


def _audit_failed_sign_in(error: Unauthorized) -> None:
    """Publish PlayerSignInFailed for the audit trail; a publishing failure must not turn 401 into 500."""
    from ..domain.audit import failed_sign_in  # only on this path: keeps the API's import short

    try:
        events = current_services().events
        if events is None:
            return
        events.publish(
            [
                failed_sign_in(
                    source=f"{PACKAGE}.api",
                    route=request.url_rule.rule if request.url_rule is not None else None,
                    reason=error.message,
                    request_id=g.get("request_id", ""),
                    correlation_id=g.get("correlation_id", ""),
                    at=SystemClock().now(),
                )
            ]
        )
    except Exception:  # the refusal stands; the failure to record it is logged
        get_logger().exception("failed sign-in not published")


def _http_error(error: HTTPException) -> tuple[Response, int]:
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    response, status = _error(status, code, error.description or error.name)
    allowed_methods = getattr(error, "valid_methods", None)
    if allowed_methods:
        response.headers["Allow"] = ", ".join(allowed_methods)
    return response, status


def _unexpected_error(error: Exception) -> tuple[Response, int]:
    get_logger().exception("unexpected error")
    return _error(500, "internal_error", "something went wrong; quote the correlation id when reporting it")


def aws_app() -> Flask:
    """The API on AWS (the Lambda function's `app`).

    A cold start builds the core services on its first request; each module's own service is built on
    the first request to that module's routes, so a wallet request never loads the promotions,
    notifications or leaderboards code (docs/benchmarks.md).
    """
    modules: dict[str, ServiceBuilder] = {}
{%- if cookiecutter.module_promotions %}
    modules["promotions"] = aws_promotion_board
{%- endif %}
{%- if cookiecutter.module_notifications %}
    modules["notifications"] = aws_notification_service
{%- endif %}
{%- if cookiecutter.module_leaderboards %}
    modules["leaderboards"] = aws_leaderboard_service
{%- endif %}
    return create_app(aws_services, modules)


def aws_services() -> Services:
    """The core services on AWS: DynamoDB stores and the EventBridge bus named by the environment."""
    # Imported here, not at the top: boto3 loads on the first request that needs it.
{%- if cookiecutter.module_sessions %}
    from ..adapters.dynamodb_sessions import DynamoSessionStore
{%- endif %}
{%- if cookiecutter.module_wallet %}
    from ..adapters.dynamodb_wallet import DynamoLedgerStore
{%- endif %}
    from ..adapters.eventbridge import EventBridgePublisher
{%- if cookiecutter.module_responsible_gaming %}
{#- responsible_gaming: adapter imports inside aws_services #}
{%- endif %}

    settings = Settings.from_env()
    publisher = EventBridgePublisher(settings.event_bus_name)
    clock = SystemClock()
{%- if cookiecutter.module_responsible_gaming %}
    # Players' protection is kept in the wallet's table: the wallet checks it inside each bet's transaction.
    protection = ProtectionService(
        DynamoLedgerStore(settings.wallet_table_name),
        publisher,
        clock,
        f"{settings.event_source}.responsible_gaming",
    )
{%- endif %}
    return Services(
{%- if cookiecutter.module_wallet %}
        # Money operations publish nothing here: their events go out with the ledger entry (the outbox).
        wallet=Wallet(
            DynamoLedgerStore(settings.wallet_table_name),
            clock,
            f"{settings.event_source}.wallet",
{%- if cookiecutter.module_responsible_gaming %}
            protection=protection,
{%- endif %}
        ),
{%- endif %}
{%- if cookiecutter.module_sessions %}
        sessions=SessionService(
            DynamoSessionStore(settings.sessions_table_name),
            publisher,
            clock,
            f"{settings.event_source}.sessions",
        ),
{%- endif %}
        cors_allowed_origins=settings.cors_allowed_origins,
        events=publisher,
        server_callers=aws_server_callers(settings),
        signature_tolerance_seconds=settings.signature_tolerance_seconds,
{%- if cookiecutter.module_responsible_gaming %}
        protection=protection,
{%- endif %}
    )


def aws_server_callers(settings: Settings) -> dict[str, ServerCaller]:
    """The servers that may call the API, their client ids and their keys from SSM Parameter Store."""
    callers: dict[str, ServerCaller] = {}
{%- if cookiecutter.module_wallet %}
    callers[PAYMENT_PROVIDER] = _aws_caller(CREDIT_SCOPE, settings.payment_provider)
    callers[GAME_SERVER] = _aws_caller(CREDIT_SCOPE, settings.game_server)
{%- endif %}
{%- if cookiecutter.module_responsible_gaming %}
    callers[KYC_PROVIDER] = _aws_caller(KYC_SCOPE, settings.kyc_provider)
{%- endif %}
    return callers
{%- if cookiecutter.module_wallet %}


def _aws_caller(scope: str, caller: ServerCallerSettings) -> ServerCaller:
    from ..adapters.parameter_store import SecretUnavailable, SecureParameter

    keys = None
    if caller.key_parameter is not None:
        previous = caller.previous_key_parameter
        keys = RotatingKeys(
            SecureParameter(caller.key_parameter).value,
            SecureParameter(previous).value if previous is not None else None,
            missing=(SecretUnavailable,),
        )
    return caller_of(scope, caller.client_ids, keys)
{%- endif %}


app = aws_app()
