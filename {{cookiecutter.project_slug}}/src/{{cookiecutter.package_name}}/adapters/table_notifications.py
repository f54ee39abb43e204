"""The notifications' Azure Table Storage store: preferences and once-per-event delivery markers.

Entity layout (one table; keys percent-encoded by adapters/azure_tables.py, so an id never holds a `:`):
- preferences      PartitionKey=PLAYER:<player_id>  RowKey=PREFERENCES
                   marketing?, email?, excluded_until?, updated_at?
- delivery marker  PartitionKey=NOTIFICATION:<notification_id>  RowKey=DELIVERY
                   state (claimed or done), lease_until (while claimed), outcome (once done)

Table Storage has no conditional expressions: each write is "insert if absent" (409 when another writer
inserted first) or an update at the ETag it was read with (412 when another writer changed it), and a
lost race reads again and decides again. So two workers handling copies of one event never both claim
it, and a self-exclusion recorded twice (or out of order) keeps the later end.

Requests per operation: `preferences` 1; `set_choices` 2 (read, then insert or replace at its ETag: a
merge cannot remove a property); `record_exclusion` 2 (read, then insert or merge at its ETag; 1 when the
stored end is already later); `claim` 2 (read, then insert or replace at its ETag; 1 when the answer is
DONE or BUSY); `mark_done` 1 (upsert); `release` 2 (read, delete at its ETag; 1 when there is no claim to
give back). A lost race costs the read and the write again.

Table Storage has no TTL: delivery markers stay (DynamoDB's expire after 15 days); a marker is one small
entity per notification sent.
"""

from __future__ import annotations

from datetime import datetime

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.data.tables import TableClient, TableEntity, UpdateMode

from ..domain.notifications import Claim, ClaimStatus, Delivery, NotificationPreferences
from .azure_tables import back_off, if_unchanged, key, lost_race
from .document_records import timestamp

# Writers racing for one entity read again and try again; this bounds it so a broken table fails loudly
# instead of spinning.
RACE_ATTEMPTS = 100
CLAIMED = "claimed"
DONE = "done"
PREFERENCES = "PREFERENCES"
DELIVERY = "DELIVERY"


class TableNotificationStore:
    """Notification preferences and delivery markers in the notifications table."""

    def __init__(self, table: TableClient) -> None:
        self.table = table

    def preferences(self, player_id: str) -> NotificationPreferences | None:
        stored = self._read(_player_partition(player_id), PREFERENCES)
        if stored is None:
            return None
        return NotificationPreferences(
            player_id=player_id,
            marketing=bool(stored["marketing"]) if "marketing" in stored else None,
            email=str(stored["email"]) if "email" in stored else None,
            excluded_until=_moment(stored, "excluded_until"),
            updated_at=_moment(stored, "updated_at"),
        )

    def set_choices(self, player_id: str, marketing: bool | None, email: str | None, at: datetime) -> None:
        for _ in range(RACE_ATTEMPTS):
            stored = self._read(_player_partition(player_id), PREFERENCES)
            # The player's fields only: the worker may record a self-exclusion on the same entity
            # meanwhile, which moves the ETag and makes this read and write again.
            entity: dict[str, object] = {
                "PartitionKey": _player_partition(player_id),
                "RowKey": PREFERENCES,
                "updated_at": timestamp(at),
            }
            if stored is not None and "excluded_until" in stored:
                entity["excluded_until"] = stored["excluded_until"]
            if marketing is not None:
                entity["marketing"] = marketing
            if email is not None:
                entity["email"] = email
            try:
                if stored is None:
                    self.table.create_entity(entity)
                else:
                    self.table.update_entity(entity, mode=UpdateMode.REPLACE, **if_unchanged(stored))
                return
            except HttpResponseError as failure:
                if not lost_race(failure):
                    raise
                back_off()
        raise RuntimeError(f"preferences of {player_id}: kept losing races to other writes")

    def record_exclusion(self, player_id: str, until: datetime) -> None:
        end = timestamp(until)
        for _ in range(RACE_ATTEMPTS):
            stored = self._read(_player_partition(player_id), PREFERENCES)
            # Fixed-width UTC timestamps compare as strings: only a later end replaces the one stored.
            if stored is not None and str(stored.get("excluded_until", "")) >= end:
                return
            entity = {
                "PartitionKey": _player_partition(player_id),
                "RowKey": PREFERENCES,
                "excluded_until": end,
            }
            try:
                if stored is None:
                    self.table.create_entity(entity)
                else:
                    self.table.update_entity(entity, mode=UpdateMode.MERGE, **if_unchanged(stored))
                return
            except HttpResponseError as failure:
                if not lost_race(failure):
                    raise
                back_off()
        raise RuntimeError(f"exclusion of {player_id}: kept losing races to other writes")

    def claim(self, notification_id: str, now: datetime, lease_until: datetime) -> Claim:
        partition = _marker_partition(notification_id)
        for _ in range(RACE_ATTEMPTS):
            marker = self._read(partition, DELIVERY)
            if marker is not None and marker["state"] == DONE:
                outcome = marker.get("outcome")
                return Claim(ClaimStatus.DONE, Delivery(outcome) if outcome else None)
            if marker is not None and str(marker["lease_until"]) > timestamp(now):
                return Claim(ClaimStatus.BUSY)
            entity = {
                "PartitionKey": partition,
                "RowKey": DELIVERY,
                "state": CLAIMED,
                "lease_until": timestamp(lease_until),
            }
            try:
                if marker is None:
                    self.table.create_entity(entity)
                else:
                    # An expired claim: taken over only while it is still the one read.
                    self.table.update_entity(entity, mode=UpdateMode.REPLACE, **if_unchanged(marker))
                return Claim(ClaimStatus.CLAIMED)
            except HttpResponseError as failure:
                if not lost_race(failure):
                    raise
                # Another worker claimed (or finished) it meanwhile: what it wrote decides the answer.
                continue
        raise RuntimeError(f"delivery {notification_id}: kept losing races to other claims")

    def mark_done(self, notification_id: str, outcome: Delivery) -> None:
        self.table.upsert_entity(
            {
                "PartitionKey": _marker_partition(notification_id),
                "RowKey": DELIVERY,
                "state": DONE,
                "outcome": outcome.value,
            },
            mode=UpdateMode.REPLACE,
        )

    def release(self, notification_id: str) -> None:
        partition = _marker_partition(notification_id)
        for _ in range(RACE_ATTEMPTS):
            marker = self._read(partition, DELIVERY)
            # A delivery marked done stays: only an unfinished claim is given back.
            if marker is None or marker["state"] != CLAIMED:
                return
            try:
                self.table.delete_entity(partition, DELIVERY, **if_unchanged(marker))
                return
            except HttpResponseError as failure:
                if not lost_race(failure):
                    raise
                back_off()
        raise RuntimeError(f"delivery {notification_id}: kept losing races to other claims")

    def _read(self, partition: str, row: str) -> TableEntity | None:
        try:
            return self.table.get_entity(partition, row)
        except ResourceNotFoundError:
            return None


def _player_partition(player_id: str) -> str:
    return f"PLAYER:{key(player_id)}"


def _marker_partition(notification_id: str) -> str:
    return f"NOTIFICATION:{key(notification_id)}"


def _moment(entity: TableEntity, name: str) -> datetime | None:
    return datetime.fromisoformat(entity[name]) if name in entity else None
