"""Notification preferences over HTTP: the signed-in player's marketing consent and e-mail address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tests.api.http_api import OTHER_PLAYER, PLAYER, ApiClient

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_notifications import (
    InMemoryChannel,
    InMemoryNotificationStore,
)
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.api.app import Services, create_app
from {{ cookiecutter.package_name }}.domain.notifications import (
    NotificationPreferences,
    NotificationService,
)
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

PATH = "/players/me/notification-preferences"


@pytest.fixture
def store() -> InMemoryNotificationStore:
    return InMemoryNotificationStore()


@pytest.fixture
def api(store: InMemoryNotificationStore, publisher: InMemoryEventPublisher, clock: FixedClock) -> ApiClient:
    notifications = NotificationService(
        store, InMemoryChannel(), publisher, clock, "{{ cookiecutter.package_name }}.notifications"
    )
    services = Services(
        events=publisher,
        modules={
            "wallet": Wallet(
                InMemoryLedgerStore(relay=publisher),
                clock,
                "{{ cookiecutter.package_name }}.wallet",
            ),
            "notifications": notifications,
        },
    )
    return ApiClient(create_app(services))


def test_a_player_who_never_chose_gets_no_marketing(api: ApiClient) -> None:
    response = api.get(PATH)

    assert response.status == 200
    assert response.json == {"marketing": False, "email": None, "self_excluded_until": None}


def test_a_player_opts_in_and_out_of_marketing(api: ApiClient, store: InMemoryNotificationStore) -> None:
    opted_in = api.post(PATH, {"marketing": True})
    opted_out = api.post(PATH, {"marketing": False})

    assert (opted_in.status, opted_in.json["marketing"]) == (200, True)
    assert (opted_out.status, opted_out.json["marketing"]) == (200, False)
    assert api.get(PATH).json["marketing"] is False
    stored = store.preferences(PLAYER)
    assert stored is not None
    assert stored.marketing is False


def test_email_is_set_kept_and_forgotten(api: ApiClient) -> None:
    api.post(PATH, {"marketing": True, "email": "ann@example.com"})

    kept = api.post(PATH, {"marketing": False})
    forgotten = api.post(PATH, {"email": None})

    assert kept.json == {"marketing": False, "email": "ann@example.com", "self_excluded_until": None}
    assert forgotten.json == {"marketing": False, "email": None, "self_excluded_until": None}


def test_preferences_are_the_signed_in_players_own(api: ApiClient) -> None:
    api.post(PATH, {"marketing": True}, player=OTHER_PLAYER)

    assert api.get(PATH).json["marketing"] is False
    assert api.get(PATH, player=OTHER_PLAYER).json["marketing"] is True


def test_a_recorded_self_exclusion_is_shown(
    api: ApiClient, store: InMemoryNotificationStore, clock: FixedClock
) -> None:
    until = clock.now() + timedelta(days=180)
    store.record_exclusion(PLAYER, until)

    assert api.get(PATH).json["self_excluded_until"] == until.isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "marketing", id="empty"),
        pytest.param({"marketing": "no"}, "marketing", id="marketing-as-text"),
        pytest.param({"marketing": 0}, "marketing", id="marketing-as-number"),
        pytest.param({"marketing": None}, "marketing", id="marketing-null"),
        pytest.param({"marketing": True, "sms": True}, "sms", id="unknown-field"),
        pytest.param({"email": 7}, "email", id="email-as-number"),
        pytest.param({"email": "not-an-address"}, "email", id="email-malformed"),
        pytest.param({"marketing": True, "email": "x" * 300 + "@example.com"}, "email", id="email-too-long"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_changes_nothing(
    api: ApiClient, store: InMemoryNotificationStore, body: dict[str, Any], field: str
) -> None:
    response = api.post(PATH, body)

    assert response.status == 422
    assert response.error["field"] == field
    assert store.preferences(PLAYER) is None


@pytest.mark.parametrize("raw", ["{not json", "[true]", ""])
def test_a_body_that_is_not_a_json_object_is_refused(
    api: ApiClient, store: InMemoryNotificationStore, raw: str
) -> None:
    response = api.post(PATH, raw_body=raw)

    assert response.status in (400, 422)
    assert store.preferences(PLAYER) is None


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_without_a_signed_in_player_it_is_401(
    api: ApiClient, store: InMemoryNotificationStore, method: str
) -> None:
    response = api.request(method, PATH, {"marketing": True}, player=None)

    assert response.status == 401
    assert store.preferences(PLAYER) is None


def test_a_stored_choice_is_shown_as_stored(
    api: ApiClient, store: InMemoryNotificationStore, clock: FixedClock
) -> None:
    store.set_choices(PLAYER, True, "bob@example.com", clock.now())

    assert api.get(PATH).json == {"marketing": True, "email": "bob@example.com", "self_excluded_until": None}
    assert store.preferences(PLAYER) == NotificationPreferences(
        PLAYER, True, "bob@example.com", None, clock.now()
    )
