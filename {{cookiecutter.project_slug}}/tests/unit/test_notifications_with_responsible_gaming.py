"""Marketing consent with player protection: no opt-in while self-excluded or cooling off."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_notifications import (
    InMemoryChannel,
    InMemoryNotificationStore,
)
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.compliance import LIMITS_POLICY
from {{ cookiecutter.package_name }}.domain.errors import DomainError
from {{ cookiecutter.package_name }}.domain.notifications import (
    NotificationService,
    PreferencesUpdate,
)

PLAYER = "player-1"
PROTECTION_SOURCE = "{{ cookiecutter.package_name }}.responsible_gaming"
NOTIFICATIONS_SOURCE = "{{ cookiecutter.package_name }}.notifications"


@pytest.mark.parametrize(
    ("exclusion", "code"), [("self_exclude", "self_excluded"), ("cool_off", "cooling_off")]
)
def test_an_excluded_player_cannot_opt_into_marketing_but_can_opt_out(
    publisher: InMemoryEventPublisher, clock: FixedClock, exclusion: str, code: str
) -> None:
    # Imported here: this file stays in a project without player protection (uncollected there).
    from {{ cookiecutter.package_name }}.domain.responsible_gaming import ProtectionService

    protection = ProtectionService(InMemoryLedgerStore(), publisher, clock, PROTECTION_SOURCE)
    store = InMemoryNotificationStore()
    service = NotificationService(
        store, InMemoryChannel(), publisher, clock, NOTIFICATIONS_SOURCE, marketing=protection
    )
    if exclusion == "self_exclude":
        protection.self_exclude(PLAYER, LIMITS_POLICY.self_exclusion_min_months, correlation_id="e")
    else:
        protection.cool_off(PLAYER, LIMITS_POLICY.cool_off_hours, correlation_id="e")

    # Refused at once, before the notifications worker has heard of the exclusion.
    with pytest.raises(DomainError) as refused:
        service.update_preferences(PLAYER, PreferencesUpdate(marketing=True))
    service.update_preferences(PLAYER, PreferencesUpdate(marketing=False))

    assert (refused.value.status, refused.value.code) == (403, code)
    assert service.preferences(PLAYER).marketing is False
