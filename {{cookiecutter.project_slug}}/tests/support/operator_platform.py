"""The hybrid mode's test set-up shared by the workers' tests: the operator's platform and its events.

`operator_platform` starts the local fake of the operator's platform (a real HTTP server) and points
the workers' settings at it; `bus_bodies` takes the platform's events through the webhook's intake and
hands them over as the bus does (SQS bodies), so a worker reads exactly what the hybrid mode publishes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.support.bus import eventbridge_body
from tools.operator_platform import FakeOperatorPlatform

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_operator_wallet import InMemoryPlatformEventLog
from {{ cookiecutter.package_name }}.domain.operator_wallet import PlatformEvent, PlatformEventIntake
from {{ cookiecutter.package_name }}.ports.operator_wallet import PlatformEventLog

KEY = "whsec-operator-wallet-test"  # pragma: allowlist secret (a test key)
WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"


@contextmanager
def operator_platform(monkeypatch: pytest.MonkeyPatch, **options: Any) -> Iterator[FakeOperatorPlatform]:
    """The fake platform, serving; the workers' OPERATOR_WALLET_URL and key point at it until the end."""
    fake = FakeOperatorPlatform(KEY, **options)
    url = fake.start()
    monkeypatch.setenv("PLATFORM_EVENTS_TABLE_NAME", "platform-events")
    monkeypatch.setenv("OPERATOR_WALLET_URL", url)
    monkeypatch.setenv("OPERATOR_WALLET_KEY_PARAMETER", "/casino/dev/operator-wallet-key")
    # The key from SSM on AWS; here, straight from the test.
    monkeypatch.setattr(
        "{{ cookiecutter.package_name }}.adapters.parameter_store.SecureParameter.value",
        lambda _: KEY,
    )
    try:
        yield fake
    finally:
        fake.stop()


def bus_bodies(*events: dict[str, Any], log: PlatformEventLog | None = None) -> list[str]:
    """The platform's events through the webhook's intake (its event log: `log`), as SQS bodies."""
    publisher = InMemoryEventPublisher()
    intake = PlatformEventIntake(
        log or InMemoryPlatformEventLog(), publisher, FixedClock(datetime.now(UTC)), WALLET_SOURCE
    )
    for event in events:
        intake.receive(PlatformEvent.parse(event))
    return [eventbridge_body(event) for event in publisher.events]
