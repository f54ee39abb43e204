"""The sessions module's port: where sessions and their play activity are kept."""

from __future__ import annotations

from typing import Protocol

from ..domain.sessions import Session, SessionActivity


class SessionStore(Protocol):
    """Player sessions and their play activity."""

    def start(self, session: Session, *, max_active: int) -> None:
        """Create a new active session, one of at most `max_active` active ones of its player.

        Raises SessionLimitReached (and writes nothing) when the player already has `max_active`;
        two sign-ins at once never both take the last place.
        """
        ...

    def save(self, session: Session) -> bool:
        """Update the lifecycle fields (status, last seen, end) of a session that is still active.

        An ended session stays ended: saving an active copy of it raises SessionClosed (a heartbeat
        that lost the race to a sign-out), saving an ended copy writes nothing and returns False.
        Ending a session frees its place among the player's active ones. A session never started
        is created (active or ended) without taking a place. The activity totals of `session` are
        ignored: only record_activity changes them, so a heartbeat racing the worker loses no activity.
        """
        ...

    def active_sessions(self, player_id: str) -> list[Session]:
        """The player's active sessions (those started with `start`), oldest first."""
        ...

    def get(self, session_id: str) -> Session | None:
        """The session, or None."""
        ...

    def record_activity(self, session_id: str, event_id: str, activity: SessionActivity) -> bool:
        """Add `activity` to the session's totals once per `event_id`; False if already applied."""
        ...
