"""The sessions' fixtures for the API tests: an in-memory store, and the session service on it."""

from __future__ import annotations

from typing import Any

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.domain.sessions import SessionService

SESSIONS_SOURCE = "{{ cookiecutter.package_name }}.sessions"


@pytest.fixture
def session_store() -> InMemorySessionStore:
    return InMemorySessionStore()


@pytest.fixture
def session_options() -> dict[str, Any]:
    """SessionService's keywords: none here; player protection's fixtures add the reality check."""
    return {}


@pytest.fixture
def session_service(
    session_store: InMemorySessionStore,
    publisher: InMemoryEventPublisher,
    clock: FixedClock,
    session_options: dict[str, Any],
) -> SessionService:
    return SessionService(session_store, publisher, clock, SESSIONS_SOURCE, **session_options)


@pytest.fixture
def service_sessions(session_service: SessionService) -> SessionService:
    return session_service


@pytest.fixture
def session_view_extras() -> dict[str, Any]:
    """What other modules add to a new session's JSON: nothing here; player protection adds its own."""
    return {}
