"""Modules whose service the API builds on the first request to their routes (promotions, notifications,
leaderboards): a cold start loads none of their domains. Kept while any of those modules is on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from tests.api.aws_parts import A_PLAYER_ROUTE, APP_MODULE, LAZY_MODULES
from tests.api.http_api import ApiClient
from tests.support.tables import stack_environment
from tools.project import PROJECT_ROOT

from {{ cookiecutter.package_name }}.api.aws import aws_app
from {{ cookiecutter.package_name }}.api.context import SERVICES_KEY


def test_this_project_has_a_lazily_built_module() -> None:
    assert LAZY_MODULES


def test_importing_the_app_loads_no_modules_domain_until_its_routes_are_called() -> None:
    """A cold start imports the app: the modules' domains are left for their routes' first request."""
    result = subprocess.run(
        [sys.executable, "-c", f"import sys, {APP_MODULE}; print(*sys.modules)"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(result.stdout.split())

    assert APP_MODULE in loaded
    assert [domain for _, _, domain in LAZY_MODULES if domain in loaded] == []


@pytest.mark.integration
def test_a_modules_service_is_built_on_its_first_request_only(
    monkeypatch: pytest.MonkeyPatch, aws_tables: dict[str, str], events_client: Any
) -> None:
    stack_environment(monkeypatch, events_client, aws_tables)
    app = aws_app()
    api = ApiClient(app)
    holder = app.extensions[SERVICES_KEY]

    assert api.request(*A_PLAYER_ROUTE).status < 300
    assert [module for module, _, _ in LAZY_MODULES if holder.get().module(module) is not None] == []
    for module, route, _ in LAZY_MODULES:
        assert api.get(route).status == 200, route
        assert holder.get().module(module) is not None, module
