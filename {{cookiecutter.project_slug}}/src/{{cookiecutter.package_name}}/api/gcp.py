"""The API on GCP: the `api` Cloud Run function's Flask app, its services built from the environment.

functions-framework calls gcp/api.py's `api` with each request; it hands the request to `app`. `app`
builds its GCP adapters (Firestore, Pub/Sub) on the first request that needs them, so importing this
module opens no connections. Each module brings its own GCP composition in api/gcp_<module>.py:
`SERVICE` (how its service is built) and `server_callers` (who may call it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .app import create_app
from .context import ServerCaller, ServiceBuilder, Services
from .modules import modules_of

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["app", "gcp_app", "gcp_server_callers", "gcp_services"]


def gcp_app() -> Flask:
    """The API on GCP: the core services on the first request, each module's on the first that needs it."""
    modules: dict[str, ServiceBuilder] = {
        name: module.SERVICE for name, module in modules_of("gcp_") if hasattr(module, "SERVICE")
    }
    # No front door header here: the load balancer in front of the function is not built (infra/README.md).
    return create_app(gcp_services, modules)


def gcp_services() -> Services:
    """The core services on GCP: Pub/Sub on the topics of EVENT_TOPICS, the server callers, and the
    settings read once, which each module's builder (api/gcp_<module>.py) is handed."""
    from ..adapters.gcp_clients import event_publisher, gcp_settings

    settings = gcp_settings()
    return Services(
        cors_allowed_origins=settings.cors_allowed_origins,
        events=event_publisher(),
        server_callers=gcp_server_callers(os.environ),
        signature_tolerance_seconds=settings.signature_tolerance_seconds,
        core_settings=settings,
    )


def gcp_server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The servers that may call the API; each module names its own (api/gcp_<module>.py)."""
    callers: dict[str, ServerCaller] = {}
    for _, module in modules_of("gcp_"):
        if hasattr(module, "server_callers"):
            callers.update(module.server_callers(environ))
    return callers


app = gcp_app()
