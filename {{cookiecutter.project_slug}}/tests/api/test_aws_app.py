"""The module-level `app` wiring: AWS adapters built from the environment, against the moto server.

Each module brings its part in tests/api/aws_<module>.py: a player route, what its server callers need
in the environment, its steps against the AWS app, and the routes whose service is built lazily.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import pytest
from tests.api.aws_parts import A_PLAYER_ROUTE, PARTS
from tests.api.http_api import ApiClient
from tests.support.tables import stack_environment, table_environment
from tools.aws.package_code import function_code
from tools.aws.stack import load, wsgi_target

from {{ cookiecutter.package_name }}.adapters.memory import InMemoryEventPublisher
from {{ cookiecutter.package_name }}.api.aws import aws_app
from {{ cookiecutter.package_name }}.api.context import LazyServices, ModuleService, Services
from {{ cookiecutter.package_name }}.api.modules import modules_of
from {{ cookiecutter.package_name }}.registry import MODULES
from {{ cookiecutter.package_name }}.settings import PACKAGE, Settings


def test_health_answers_without_building_any_aws_client(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EVENT_BUS_NAME", "WALLET_TABLE_NAME", "SESSIONS_TABLE_NAME"):
        monkeypatch.delenv(name, raising=False)

    assert ApiClient(aws_app()).get("/health", player=None).status == 200


def test_missing_settings_are_a_logged_500_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)

    response = ApiClient(aws_app()).request(*A_PLAYER_ROUTE)

    assert response.status == 500
    assert response.error["code"] == "internal_error"


def test_each_modules_service_is_built_from_the_core_settings_it_is_handed(
    monkeypatch: pytest.MonkeyPatch, table_definitions: dict[str, dict[str, Any]]
) -> None:
    """The core settings are read once per process (aws_services); a module's builder is handed them."""

    def read_again(*_args: object, **_kwargs: object) -> Settings:
        raise AssertionError("a module's builder read the core settings from the environment again")

    monkeypatch.setattr(Settings, "from_env", read_again)
    # A module's own settings (its table, when it is not a core one) still come from its variables.
    for variable, table in table_environment({name: name for name in table_definitions}).items():
        monkeypatch.setenv(variable, table)
    settings = Settings(event_bus_name="bus", tables={name: f"{name}-table" for name in MODULES})
    builders: dict[str, ModuleService] = {
        name: module.SERVICE for name, module in modules_of("aws_") if hasattr(module, "SERVICE")
    }

    built = LazyServices(Services(events=InMemoryEventPublisher(), core_settings=settings), builders)

    services = built.get(*builders)
    assert [name for name in builders if services.module(name) is None] == []


@pytest.mark.integration
def test_requests_reach_dynamodb_and_eventbridge(
    monkeypatch: pytest.MonkeyPatch, aws_tables: dict[str, str], events_client: Any
) -> None:
    stack_environment(monkeypatch, events_client, aws_tables)
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://play.example.com")
    for part in PARTS:
        if hasattr(part, "environment"):
            part.environment(monkeypatch)
    api = ApiClient(aws_app())

    for part in PARTS:
        if hasattr(part, "walk"):
            part.walk(api, PARTS)
    preflight = api.request("OPTIONS", "/health", player=None, headers={"origin": "https://play.example.com"})
    assert preflight.headers["access-control-allow-origin"] == "https://play.example.com"


def test_the_api_zip_carries_each_modules_routes_and_their_aws_composition() -> None:
    """The API finds them by name (api/modules.py): the packaging must carry them all the same."""
    packaged = set(function_code("api", wsgi_target(load(source="serverless.yml").wsgi_app)[1], []).modules)
    module_files = {
        f"{PACKAGE}.api.{kind}{name}"
        for name in MODULES
        for kind in ("", "aws_")
        if importlib.util.find_spec(f"{PACKAGE}.api.{kind}{name}") is not None
    }

    assert module_files
    assert sorted(module_files - packaged) == []
