"""The notifications module's ports: preferences and delivery markers, and the channels."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ..domain.notifications import Claim, Delivery, Notification, NotificationPreferences


class NotificationStore(Protocol):
    """Players' notification preferences and the once-per-event delivery markers."""

    def preferences(self, player_id: str) -> NotificationPreferences | None:
        """The player's stored preferences, or None if nothing was ever stored."""
        ...

    def set_choices(self, player_id: str, marketing: bool | None, email: str | None, at: datetime) -> None:
        """Store the player's own choices (an email of None removes it); the exclusion is kept."""
        ...

    def record_exclusion(self, player_id: str, until: datetime) -> None:
        """Record a self-exclusion; of two, the later end is kept (recording one again changes nothing)."""
        ...

    def claim(self, notification_id: str, now: datetime, lease_until: datetime) -> Claim:
        """Claim the delivery of a notification atomically.

        CLAIMED if it was never claimed or its claim expired (lease_until is the new claim's end),
        DONE with the recorded outcome if it was marked done, BUSY if another claim is still running.
        """
        ...

    def mark_done(self, notification_id: str, outcome: Delivery) -> None:
        """Mark the claimed delivery finished with `outcome`; later claims answer DONE."""
        ...

    def release(self, notification_id: str) -> None:
        """Give back an unfinished claim (the send failed), so the next delivery can claim it."""
        ...


class NotificationChannel(Protocol):
    """Where notifications go (SNS, SES, the log); `name` says which in NotificationSent events."""

    @property
    def name(self) -> str: ...

    def deliver(self, notification: Notification) -> None:
        """Send the notification; raise Undeliverable if this channel cannot reach the player."""
        ...
