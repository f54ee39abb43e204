"""In-memory notification store and channel: the DynamoDB and SNS adapters' semantics, for tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime

from ..domain.notifications import (
    Claim,
    ClaimStatus,
    Delivery,
    Notification,
    NotificationPreferences,
    Undeliverable,
)


@dataclass(frozen=True, slots=True)
class _Marker:
    done: bool
    lease_until: datetime
    outcome: Delivery | None = None


class InMemoryNotificationStore:
    """Preferences by player and delivery markers by notification id, behind one lock."""

    def __init__(self) -> None:
        self._preferences: dict[str, NotificationPreferences] = {}
        self._markers: dict[str, _Marker] = {}
        self._lock = threading.Lock()

    def preferences(self, player_id: str) -> NotificationPreferences | None:
        with self._lock:
            return self._preferences.get(player_id)

    def set_choices(self, player_id: str, marketing: bool | None, email: str | None, at: datetime) -> None:
        with self._lock:
            current = self._preferences.get(player_id) or NotificationPreferences(player_id)
            self._preferences[player_id] = replace(current, marketing=marketing, email=email, updated_at=at)

    def record_exclusion(self, player_id: str, until: datetime) -> None:
        with self._lock:
            current = self._preferences.get(player_id) or NotificationPreferences(player_id)
            if current.excluded_until is None or current.excluded_until < until:
                self._preferences[player_id] = replace(current, excluded_until=until)

    def claim(self, notification_id: str, now: datetime, lease_until: datetime) -> Claim:
        with self._lock:
            marker = self._markers.get(notification_id)
            if marker is not None and marker.done:
                return Claim(ClaimStatus.DONE, marker.outcome)
            if marker is not None and marker.lease_until > now:
                return Claim(ClaimStatus.BUSY)
            self._markers[notification_id] = _Marker(done=False, lease_until=lease_until)
            return Claim(ClaimStatus.CLAIMED)

    def mark_done(self, notification_id: str, outcome: Delivery) -> None:
        with self._lock:
            marker = self._markers.get(notification_id)
            lease_until = marker.lease_until if marker else datetime.min
            self._markers[notification_id] = _Marker(done=True, lease_until=lease_until, outcome=outcome)

    def release(self, notification_id: str) -> None:
        with self._lock:
            marker = self._markers.get(notification_id)
            if marker is not None and not marker.done:
                del self._markers[notification_id]


class InMemoryChannel:
    """Keeps every delivered notification in `delivered`, in order; `unreachable` players raise."""

    name = "memory"

    def __init__(self, unreachable: frozenset[str] = frozenset()) -> None:
        self.delivered: list[Notification] = []
        self.unreachable = unreachable
        self._lock = threading.Lock()

    def deliver(self, notification: Notification) -> None:
        if notification.player_id in self.unreachable:
            raise Undeliverable(f"no address for player {notification.player_id}")
        with self._lock:
            self.delivered.append(notification)
