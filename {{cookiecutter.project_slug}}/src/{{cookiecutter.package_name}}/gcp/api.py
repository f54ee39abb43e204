"""The api function: the player API's Flask app (api/gcp.py) behind functions-framework."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from ..api.gcp import app, with_userinfo

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
    with app.request_context(environ):
        return app.full_dispatch_request()
