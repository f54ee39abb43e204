"""The notifications' Firestore store (the casino's named database): preferences and delivery markers.

Document layout:
- preferences      notification_players/<player_id>  marketing?, email?, updated_at?, excluded_until?
                   (microseconds since the epoch, an integer: the server keeps the later of two ends)
- delivery marker  notification_deliveries/<notification_id>  state (claimed or done), lease_until,
                   outcome?, expires_at (a timestamp: the database's TTL policy on it deletes the marker,
                   infra/modules/notifications)

Requests per operation (tests/gcp/test_firestore_notifications.py counts them):
- preferences       one read of the player's document.
- set_choices       ONE commit: a merge of the player's own fields (a choice of None deletes its field);
                    a self-exclusion recorded meanwhile is another field and stays.
- record_exclusion  ONE commit: a server-side maximum on excluded_until, so of two ends (in any order,
                    or the same one twice) the later is kept, with nothing read first.
- claim             ONE commit creating the marker only if absent; if it exists, one read of it: done
                    answers DONE, a running claim BUSY, an expired claim is taken over by one more
                    commit, conditioned on the marker's update time still being the one read (of two
                    workers taking over at once, one wins, the other answers BUSY).
- mark_done         ONE commit overwriting the marker.
- release           one read of the marker, then ONE delete conditioned on its update time, only if it
                    is still a claim: a delivery marked done stays done.

Why commits with preconditions rather than read-write transactions: the database runs in pessimistic
concurrency mode (infra/main.tf), where a transaction's read locks the document, so workers handling
copies of one event would queue on that lock; a commit conditioned on "absent" or on an update time
locks nothing, and a loser fails at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core.exceptions import AlreadyExists, FailedPrecondition
from google.cloud import firestore

from ..domain.notifications import Claim, ClaimStatus, Delivery, NotificationPreferences
from .document_records import timestamp

Document = dict[str, Any]
PLAYERS = "notification_players"
DELIVERIES = "notification_deliveries"
# Markers outlive every copy of the event: the push subscription keeps it 7 days and its dead-letter
# topic longer, so a message redelivered from there is still recognised as sent.
MARKER_TTL = timedelta(days=15)
CLAIMED = "claimed"
DONE = "done"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class FirestoreNotificationStore:
    """Notification preferences and once-per-event delivery markers in Firestore documents."""

    def __init__(
        self,
        database: str,
        client: Any | None = None,
        *,
        project: str | None = None,
        players_collection: str = PLAYERS,
        deliveries_collection: str = DELIVERIES,
    ) -> None:
        self.client = client if client is not None else firestore.Client(project=project, database=database)
        self.players_collection = players_collection
        self.deliveries_collection = deliveries_collection

    def preferences(self, player_id: str) -> NotificationPreferences | None:
        snapshot = self._player(player_id).get()
        if not snapshot.exists:
            return None
        document: Document = snapshot.to_dict()
        return NotificationPreferences(
            player_id=player_id,
            marketing=document.get("marketing"),
            email=document.get("email"),
            excluded_until=(
                _moment(int(document["excluded_until"])) if "excluded_until" in document else None
            ),
            updated_at=datetime.fromisoformat(document["updated_at"]) if "updated_at" in document else None,
        )

    def set_choices(self, player_id: str, marketing: bool | None, email: str | None, at: datetime) -> None:
        # The player's fields only (a merge): the worker may record a self-exclusion meanwhile.
        self._player(player_id).set(
            {
                "marketing": firestore.DELETE_FIELD if marketing is None else marketing,
                "email": firestore.DELETE_FIELD if email is None else email,
                "updated_at": timestamp(at),
            },
            merge=True,
        )

    def record_exclusion(self, player_id: str, until: datetime) -> None:
        # A server-side maximum of integers: only a later end replaces the one stored, with no read.
        self._player(player_id).set({"excluded_until": firestore.Maximum(_micros(until))}, merge=True)

    def claim(self, notification_id: str, now: datetime, lease_until: datetime) -> Claim:
        marker = self._marker(notification_id)
        claimed = _claimed(lease_until)
        try:
            marker.create(claimed)
            return Claim(ClaimStatus.CLAIMED)
        except AlreadyExists:
            pass
        snapshot = marker.get()
        if not snapshot.exists:
            # Released between the create and the read: the next delivery claims it.
            return Claim(ClaimStatus.BUSY)
        stored: Document = snapshot.to_dict()
        if stored.get("state") == DONE:
            outcome = stored.get("outcome")
            return Claim(ClaimStatus.DONE, Delivery(outcome) if outcome else None)
        if stored["lease_until"] > timestamp(now):
            return Claim(ClaimStatus.BUSY)
        # The claim expired (its worker died): take it over only if nobody changed it since the read.
        try:
            marker.update(claimed, option=self.client.write_option(last_update_time=snapshot.update_time))
        except FailedPrecondition:
            return Claim(ClaimStatus.BUSY)
        return Claim(ClaimStatus.CLAIMED)

    def mark_done(self, notification_id: str, outcome: Delivery) -> None:
        self._marker(notification_id).set({"state": DONE, "outcome": outcome.value, "expires_at": _expiry()})

    def release(self, notification_id: str) -> None:
        marker = self._marker(notification_id)
        snapshot = marker.get()
        # A delivery marked done stays: only an unfinished claim is given back.
        if not snapshot.exists or snapshot.to_dict().get("state") != CLAIMED:
            return
        try:
            marker.delete(option=self.client.write_option(last_update_time=snapshot.update_time))
        except FailedPrecondition:
            # Changed since the read: marked done, or taken over by another worker, which keeps it.
            return

    def _player(self, player_id: str) -> Any:
        return self.client.document(f"{self.players_collection}/{player_id}")

    def _marker(self, notification_id: str) -> Any:
        return self.client.document(f"{self.deliveries_collection}/{notification_id}")


def _claimed(lease_until: datetime) -> Document:
    return {"state": CLAIMED, "lease_until": timestamp(lease_until), "expires_at": _expiry()}


def _expiry() -> datetime:
    # TTL runs on the database's wall clock, so the marker's expiry uses the real time too.
    return datetime.now(UTC) + MARKER_TTL


def _micros(moment: datetime) -> int:
    """Microseconds since the epoch: exact for every moment up to the indefinite exclusion's end."""
    return (moment.astimezone(UTC) - EPOCH) // MICROSECOND


def _moment(micros: int) -> datetime:
    return EPOCH + micros * MICROSECOND
