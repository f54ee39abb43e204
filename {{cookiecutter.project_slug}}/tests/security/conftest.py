"""The attack tests drive the same app as the API tests: in-memory adapters, HTTP API events."""

from tests.api.conftest import *  # noqa: F403 - the API tests' fixtures (app, services, wallet)
