"""The API on AWS: the Lambda function's `app`, its services built from the environment.

serverless-wsgi's handler imports `app` (custom.wsgi.app in serverless.yml) and feeds it each HTTP API
event. `app` builds its AWS adapters from the environment on the first request that needs them, so
importing this module opens no connections. Each module brings its own AWS composition in
api/aws_<module>.py: `SERVICE` (how its service is built) and `server_callers` (who may call it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..observability import paused_collector

# Flask, its dependencies and the API's modules, then the app: what this function's cold start builds
# and keeps, built with the garbage collector paused and then frozen (docs/benchmarks.md).
with paused_collector():
    from .. import snapstart  # noqa: F401 - registers the SnapStart hooks (docs/snapstart.md)
    from ..settings import Settings
    from ..settings_api import FrontDoorSettings
    from .app import create_app
    from .context import ServerCaller, ServiceBuilder, Services
    from .modules import modules_of
    from .origin import FrontDoor

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["app", "aws_app", "aws_front_door", "aws_server_callers", "aws_services"]


def aws_app() -> Flask:
    """The API on AWS (the Lambda function's `app`).

    A cold start builds the core services on its first request; each module's own service is built on
    the first request that needs it, so a wallet request never loads the promotions, notifications or
    leaderboards code (docs/benchmarks.md).
    """
    modules: dict[str, ServiceBuilder] = {
        name: module.SERVICE for name, module in modules_of("aws_") if hasattr(module, "SERVICE")
    }
    return create_app(aws_services, modules, aws_front_door(os.environ))


def aws_front_door(environ: Mapping[str, str]) -> FrontDoor | None:
    """On a stage with the edge, CloudFront's secret header, its values from Secrets Manager."""
    settings = FrontDoorSettings.from_env(environ)
    if settings is None:
        return None
    from ..adapters.secrets_manager import SecretVersions  # boto3 loads on the first request

    return FrontDoor(settings.header, SecretVersions(settings.secret_id).values)


def aws_services() -> Services:
    """The core services on AWS: the EventBridge bus named by the environment, the server callers, and
    the settings read once, which each module's builder (api/aws_<module>.py) is handed."""
    # Imported here, not at the top: boto3 loads on the first request that needs it.
    from ..adapters.eventbridge import EventBridgePublisher

    settings = Settings.from_env()
    return Services(
        cors_allowed_origins=settings.cors_allowed_origins,
        events=EventBridgePublisher(settings.event_bus_name),
        server_callers=aws_server_callers(os.environ),
        signature_tolerance_seconds=settings.signature_tolerance_seconds,
        core_settings=settings,
    )


def aws_server_callers(environ: Mapping[str, str]) -> dict[str, ServerCaller]:
    """The servers that may call the API, their client ids and their keys from SSM Parameter Store.

    Each module names its own callers (api/aws_<module>.py, `server_callers`).
    """
    callers: dict[str, ServerCaller] = {}
    for _, module in modules_of("aws_"):
        if hasattr(module, "server_callers"):
            callers.update(module.server_callers(environ))
    return callers


with paused_collector():
    app = aws_app()
