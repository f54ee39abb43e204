"""The notifications' fixtures for the API tests: preferences on an in-memory store."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_notifications import (
    InMemoryChannel,
    InMemoryNotificationStore,
)
from {{ cookiecutter.package_name }}.domain.notifications import NotificationService


@pytest.fixture
def service_notifications(publisher: InMemoryEventPublisher, clock: FixedClock) -> NotificationService:
    return NotificationService(
        InMemoryNotificationStore(),
        InMemoryChannel(),
        publisher,
        clock,
        "{{ cookiecutter.package_name }}.notifications",
    )
