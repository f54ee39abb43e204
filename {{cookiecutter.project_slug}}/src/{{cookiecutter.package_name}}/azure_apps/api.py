"""The API function app: the Flask app (api/app.py) through azure-functions' WSGI middleware.

One HTTP trigger takes every path (host.json's routePrefix is empty, so the paths are the API's own);
App Service Authentication has checked the player's token before it runs (infra/blocks/function_app),
hence the anonymous function level. The app's services are built on the first request that needs them.
Events the request publishes carry the host's trace context of the request (azure_apps/tracing.py).
"""

# azure-functions' trigger decorators are untyped; the functions they register are typed here.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import azure.functions as func

from ..api.azure import azure_app, with_principal
from .tracing import host_traceparent, invocation_trace

# Every method the API's routes take; Flask answers 405 for a method a path does not take.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
_wsgi = func.WsgiMiddleware(with_principal(azure_app()))


@app.function_name("api")
@app.route(route="{*route}", methods=METHODS, auth_level=func.AuthLevel.ANONYMOUS)
def api(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
    """Every request of the player and the server callers, served by the Flask app."""
    with invocation_trace(host_traceparent(context)):
        return _wsgi.handle(req, context)
