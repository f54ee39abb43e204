"""Fixtures of the API tests: the Flask app on in-memory adapters, driven through serverless-wsgi.

Each module brings its service's fixtures in tests/api/fixtures_<module>.py (loaded by tests/conftest.py
for the modules the registry lists), including `service_<module>`: what `services` gives the app.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest
from tests.api.http_api import ALLOWED_ORIGIN, ApiClient, server_callers

from {{ cookiecutter.package_name }}.adapters.memory import InMemoryEventPublisher
from {{ cookiecutter.package_name }}.api.app import Services, create_app
from {{ cookiecutter.package_name }}.registry import MODULES


@pytest.fixture
def services(request: pytest.FixtureRequest, publisher: InMemoryEventPublisher) -> Services:
    return Services(
        cors_allowed_origins=(ALLOWED_ORIGIN,),
        events=publisher,
        server_callers=server_callers(),
        modules={
            name: request.getfixturevalue(f"service_{name}")
            for name in MODULES
            # A module without a fixtures file (promotions: its tests build their own service) adds none.
            if importlib.util.find_spec(f"tests.api.fixtures_{name}") is not None
        },
    )


@pytest.fixture
def api(services: Services) -> ApiClient:
    return ApiClient(create_app(services))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many requests schemathesis generated and sent (tests/api/test_fuzz.py), when it ran."""
    # The module's name depends on pytest's import mode: found by its file name.
    fuzz = next((module for name, module in sys.modules.items() if name.endswith("test_fuzz")), None)
    sent: dict[str, int] = getattr(fuzz, "SENT", {})
    if sent:
        total, operations = sum(sent.values()), len(sent)
        terminalreporter.write_line(f"schemathesis sent {total} requests to {operations} operations")
