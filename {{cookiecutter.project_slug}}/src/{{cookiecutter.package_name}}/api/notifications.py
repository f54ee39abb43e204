"""Notification preference routes of the signed-in player: marketing consent and e-mail address.

The notifications domain is imported on these routes' first request, not with the app: a cold start
for a wallet request does not load it (api/aws.py, aws_app).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint

from ..domain.errors import ValidationFailed
from . import schemas
from .context import ModuleApi, current_player_id, module_service

if TYPE_CHECKING:
    from ..domain.notifications import NotificationPreferences, NotificationService, PreferencesUpdate
    from ..ports.notifications import NotificationStore
    from ..settings_notifications import NotificationSettings
    from .context import Services

notifications_api = Blueprint("notifications", __name__, url_prefix="/players/me/notification-preferences")

API = ModuleApi(notifications_api)


@notifications_api.get("")
def get_preferences() -> dict[str, Any]:
    player_id = current_player_id()
    return _preferences_json(_notifications().preferences(player_id))


@notifications_api.post("")
def update_preferences() -> dict[str, Any]:
    player_id = current_player_id()
    update = _preferences_update(schemas.json_body())
    return _preferences_json(_notifications().update_preferences(player_id, update))


def _preferences_update(body: schemas.Body) -> PreferencesUpdate:
    from ..domain.notifications import EMAIL_RE, PreferencesUpdate

    schemas.expect_fields(body, required=(), optional=("marketing", "email"))
    if not body:
        raise ValidationFailed("give marketing, email or both", field="marketing")
    marketing = body.get("marketing")
    if "marketing" in body and not isinstance(marketing, bool):
        raise ValidationFailed("marketing must be true or false", field="marketing")
    email = body.get("email")
    if email is not None and not isinstance(email, str):
        raise ValidationFailed("email must be a string or null", field="email")
    # Matched in full here: the address becomes an SNS endpoint or an SES recipient, where a trailing
    # newline (which `$` lets through) must never arrive.
    if email is not None and not EMAIL_RE.fullmatch(email):
        raise ValidationFailed("email must be an e-mail address like player@example.com", field="email")
    return PreferencesUpdate(
        marketing=marketing,
        email=email,
        forget_email="email" in body and email is None,
    )


def routes_service(
    services: Services, store: NotificationStore, settings: NotificationSettings
) -> NotificationService:
    """The routes' service on any cloud, on that cloud's preferences `store` (api/<cloud>_notifications.py).

    The API reads and records preferences and never sends, so its channel is the log; player
    protection, where the project has it, refuses a marketing opt-in while the player is excluded.
    """
    from ..adapters.log_channel import LogChannel
    from ..domain.notifications import NotificationService
    from ..ports import MarketingGate
    from ..settings import SystemClock

    return NotificationService(
        store,
        LogChannel(),
        services.publisher(),
        SystemClock(),
        f"{services.settings().event_source}.notifications",
        big_win_threshold=settings.big_win_threshold,
        marketing_default=settings.marketing_default,
        marketing=cast("MarketingGate | None", services.module("responsible_gaming")),
    )


def _notifications() -> NotificationService:
    return cast("NotificationService", module_service("notifications"))


def _preferences_json(preferences: NotificationPreferences) -> dict[str, Any]:
    excluded_until = preferences.excluded_until
    return {
        "marketing": bool(preferences.marketing),
        "email": preferences.email,
        # When the self-exclusion the notifications worker recorded ends (no marketing until then).
        "self_excluded_until": None if excluded_until is None else excluded_until.isoformat(),
    }
