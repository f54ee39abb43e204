"""The notifications' fixtures for the API tests: preferences on an in-memory store."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_notifications import (
    InMemoryChannel,
    InMemoryNotificationStore,
)
from {{ cookiecutter.package_name }}.domain.notifications import NotificationService
from {{ cookiecutter.package_name }}.registry import enabled


@pytest.fixture
def service_notifications(
    request: pytest.FixtureRequest, publisher: InMemoryEventPublisher, clock: FixedClock
) -> NotificationService:
    # With player protection, its service refuses a marketing opt-in while excluded (as on AWS).
    gate = request.getfixturevalue("protection") if enabled("responsible_gaming") else None
    return NotificationService(
        InMemoryNotificationStore(),
        InMemoryChannel(),
        publisher,
        clock,
        "{{ cookiecutter.package_name }}.notifications",
        marketing=gate,
    )
