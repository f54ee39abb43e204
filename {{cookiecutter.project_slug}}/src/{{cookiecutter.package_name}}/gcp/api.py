"""The api function: the player API's Flask app (api/gcp.py) behind functions-framework.

Each request's log lines carry the trace Cloud Run records for it (the `traceparent` or
X-Cloud-Trace-Context header it hands the function: observability.py), and the events the request
publishes carry it on (adapters/pubsub.py).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from ..api.gcp import app, with_userinfo
from ..gcp_trace import set_trace, trace_of

if TYPE_CHECKING:
    from flask import Request, Response


def api(request: Request) -> Response:
    """The api function (functions-framework, signature type http): the request, through the app."""
    # functions-framework reads the body again after the call: the app reads its own copy of it.
    body = request.get_data()
    # The verified claims come from API Gateway's header only (api/gcp.py), never from a caller's.
    environ = with_userinfo(
        {**request.environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    )
    set_trace(trace_of(request.headers))
    try:
        with app.request_context(environ):
            return app.full_dispatch_request()
    finally:
        set_trace(None)
