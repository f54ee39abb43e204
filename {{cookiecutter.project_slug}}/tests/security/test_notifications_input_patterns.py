"""Attacks on input patterns (finding 9), the notifications' part: an e-mail address is matched in full."""

from __future__ import annotations

import pytest
from tests.api.http_api import ApiClient

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_notifications import (
    InMemoryChannel,
    InMemoryNotificationStore,
)
from {{ cookiecutter.package_name }}.api.app import Services, create_app
from {{ cookiecutter.package_name }}.domain.notifications import NotificationService


@pytest.fixture
def notifications_api(services: Services, publisher: InMemoryEventPublisher, clock: FixedClock) -> ApiClient:
    source = "{{ cookiecutter.package_name }}.notifications"
    notifications = NotificationService(
        InMemoryNotificationStore(), InMemoryChannel(), publisher, clock, source
    )
    return ApiClient(create_app(services.with_modules(notifications=notifications)))


@pytest.mark.parametrize("email", ["player@example.com\n", "player@example.com\nBcc: x@example.com"])
def test_an_email_with_a_newline_is_refused(notifications_api: ApiClient, email: str) -> None:
    """The address becomes an SNS endpoint or an SES recipient: a newline must never reach them."""
    response = notifications_api.post("/players/me/notification-preferences", {"email": email})

    assert (response.status, response.error["field"]) == (422, "email")
    assert notifications_api.get("/players/me/notification-preferences").json["email"] is None
