"""Sessions with player protection: reality checks at the jurisdiction's interval by default."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_sessions import InMemorySessionStore
from {{ cookiecutter.package_name }}.compliance import LIMITS_POLICY
from {{ cookiecutter.package_name }}.domain.sessions import SessionService

SOURCE = "{{ cookiecutter.package_name }}.sessions"
PLAYER = "player-1"


def test_the_jurisdictions_reality_check_interval_is_the_default(
    publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    store = InMemorySessionStore()
    session = SessionService(store, publisher, clock, SOURCE).start_session(PLAYER, correlation_id="c")

    assert session.reality_check_minutes == LIMITS_POLICY.reality_check_minutes
