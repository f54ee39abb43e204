"""The Flask app: `create_app(services)` builds the API of the modules the registry lists.

Tests and local runs give it their services; on AWS the Lambda function's `app` is built by api/aws.py
(serverless-wsgi's handler imports it and feeds it each HTTP API event).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from ..domain.errors import DomainError
from ..observability import (
    CORRELATION_ID_HEADER,
    correlation_id_or,
    flush_metrics,
    get_logger,
    set_correlation_id,
)
from ..settings import PACKAGE, SystemClock
from .context import (
    SERVICES_KEY,
    LazyServices,
    ServerCaller,
    ServiceBuilder,
    Services,
    Unauthorized,
    current_services,
)
from .modules import module_apis
from .origin import FrontDoor

# Request bodies are a handful of ids and an amount; anything bigger is refused before parsing.
MAX_BODY_BYTES = 16 * 1024
CORS_ALLOWED_METHODS = "GET, POST, DELETE"
CORS_ALLOWED_HEADERS = f"authorization, content-type, {CORRELATION_ID_HEADER}"

__all__ = ["ServerCaller", "Services", "create_app"]


def create_app(
    services: Services | Callable[[], Services],
    modules: Mapping[str, ServiceBuilder] | None = None,
    front_door: FrontDoor | None = None,
) -> Flask:
    """The API with the given services (or a factory that builds them on first use).

    `modules` builds a module's own service (by module name) on the first request that needs it.
    `front_door`: on a stage with the edge, requests without its secret header are refused (403).
    """
    # No static files: Flask's default /static/<path:filename> route would serve a folder that does not exist.
    api = Flask(__name__, static_folder=None)
    api.url_rule_class = RouteBuiltOnFirstUse
    api.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    api.extensions[SERVICES_KEY] = LazyServices(services, modules)
    api.before_request(_start_request)
    if front_door is not None:
        api.before_request(partial(_through_the_front_door, front_door))
    api.after_request(_finish_request)
    api.teardown_request(_flush_metrics)
    api.register_error_handler(DomainError, _domain_error)
    api.register_error_handler(HTTPException, _http_error)
    api.register_error_handler(Exception, _unexpected_error)
    api.add_url_rule("/health", "health", _health, methods=["GET"])
    for module in module_apis():
        api.register_blueprint(module.blueprint)
    return api


class RouteBuiltOnFirstUse(Rule):
    """A route whose URL builder is compiled the first time a URL is built for it, not when it is added.

    werkzeug compiles two URL-building functions per route as the route is added (generated code, about
    half a millisecond of CPU each), for `url_for`; the API builds no URLs while it answers, so a cold
    start would pay that for every route and use none. Matching a request is unchanged: its regular
    expressions are still compiled when the route is added (docs/benchmarks.md).
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compile_builder = super()._compile_builder
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            if not compiled:  # a race compiles it twice, to the same function: harmless
                compiled.append(compile_builder(append_unknown).__get__(rule, None))
            return compiled[0](**values)

        return build


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


def _through_the_front_door(front_door: FrontDoor) -> tuple[Response, int] | None:
    # Before any route or service: a request that went around the edge learns nothing but this.
    if front_door.admits(request.headers.get(front_door.header)):
        return None
    return _error(403, "forbidden", "this API answers only through its edge (its own address is closed)")


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
