"""The sessions module's port: where sessions and their play activity are kept."""

from __future__ import annotations

from typing import Protocol

from ..domain.sessions import Session, SessionActivity


class SessionStore(Protocol):
    """Player sessions and their play activity."""

    def save(self, session: Session) -> None:
        """Create the session, or update its lifecycle fields (status, last seen, end).

        The activity totals of `session` are ignored: only record_activity changes them, so a
        heartbeat racing the worker loses no activity.
        """
        ...

    def get(self, session_id: str) -> Session | None:
        """The session, or None."""
        ...

    def record_activity(self, session_id: str, event_id: str, activity: SessionActivity) -> bool:
        """Add `activity` to the session's totals once per `event_id`; False if already applied."""
        ...
