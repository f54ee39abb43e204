"""The hybrid mode's fixtures for the API tests: the webhook's intake on an in-memory event log."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_operator_wallet import InMemoryPlatformEventLog
from {{ cookiecutter.package_name }}.domain.operator_wallet import PlatformEventIntake


@pytest.fixture
def platform_event_log() -> InMemoryPlatformEventLog:
    return InMemoryPlatformEventLog()


@pytest.fixture
def service_operator_wallet(
    platform_event_log: InMemoryPlatformEventLog, publisher: InMemoryEventPublisher, clock: FixedClock
) -> PlatformEventIntake:
    source = "{{ cookiecutter.package_name }}.wallet"
    return PlatformEventIntake(platform_event_log, publisher, clock, source)
