"""DynamoDB notification store: preferences and once-per-event delivery markers in one table.

Item layout (keys `pk`/`sk`):
- preferences      pk=PLAYER#<player_id>              sk=PREFERENCES  marketing?, email?, excluded_until?,
                                                                      updated_at?
- delivery marker  pk=NOTIFICATION#<notification_id>  sk=DELIVERY     state (claimed or done), lease_until,
                                                                      outcome?, expires_at (TTL)

Each write is one conditional request, so two workers handling copies of one event cannot both claim
it, and a self-exclusion recorded twice (or out of order) keeps the later end.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from ..domain.notifications import Claim, ClaimStatus, Delivery, NotificationPreferences
from .aws_clients import LazyClient

Item = dict[str, dict[str, Any]]

# Markers outlive every copy of the event: the queue keeps it 4 days, its dead-letter queue 14 days,
# so a message redriven from the dead-letter queue is still recognised as sent.
MARKER_TTL_SECONDS = 15 * 24 * 3600
CLAIMED = "claimed"
DONE = "done"


class DynamoNotificationStore:
    """Notification preferences and delivery markers in the notifications table."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self._client = LazyClient("dynamodb", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def preferences(self, player_id: str) -> NotificationPreferences | None:
        response = self.client.get_item(
            TableName=self.table_name, Key=_preferences_key(player_id), ConsistentRead=True
        )
        item: Item | None = response.get("Item")
        if item is None:
            return None
        return NotificationPreferences(
            player_id=player_id,
            marketing=item["marketing"]["BOOL"] if "marketing" in item else None,
            email=item["email"]["S"] if "email" in item else None,
            excluded_until=datetime.fromisoformat(item["excluded_until"]["S"])
            if "excluded_until" in item
            else None,
            updated_at=datetime.fromisoformat(item["updated_at"]["S"]) if "updated_at" in item else None,
        )

    def set_choices(self, player_id: str, marketing: bool | None, email: str | None, at: datetime) -> None:
        # The player's fields only: the worker may record a self-exclusion on the same item meanwhile.
        sets = ["updated_at = :at"]
        removes = []
        values: Item = {":at": _s(_timestamp(at))}
        for name, value in (
            ("marketing", None if marketing is None else {"BOOL": marketing}),
            ("email", email),
        ):
            if value is None:
                removes.append(name)
            else:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = value if isinstance(value, dict) else _s(value)
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        self.client.update_item(
            TableName=self.table_name,
            Key=_preferences_key(player_id),
            UpdateExpression=expression,
            ExpressionAttributeValues=values,
        )

    def record_exclusion(self, player_id: str, until: datetime) -> None:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_preferences_key(player_id),
                UpdateExpression="SET excluded_until = :until",
                # Fixed-width UTC timestamps compare as strings: only a later end replaces the one stored.
                ConditionExpression="attribute_not_exists(excluded_until) OR excluded_until < :until",
                ExpressionAttributeValues={":until": _s(_timestamp(until))},
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise

    def claim(self, notification_id: str, now: datetime, lease_until: datetime) -> Claim:
        key = _marker_key(notification_id)
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=key,
                UpdateExpression="SET #state = :claimed, lease_until = :lease, expires_at = :expires",
                ConditionExpression="attribute_not_exists(pk) OR (#state = :claimed AND lease_until <= :now)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":claimed": _s(CLAIMED),
                    ":lease": _s(_timestamp(lease_until)),
                    ":now": _s(_timestamp(now)),
                    # TTL runs on DynamoDB's wall clock, so the expiry uses the real time too.
                    ":expires": _n(int(time.time()) + MARKER_TTL_SECONDS),
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise
            marker: Item | None = error.response.get("Item")
            if marker is None:
                marker = self.client.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get(
                    "Item"
                )
            if marker is not None and marker.get("state", {}).get("S") == DONE:
                outcome = marker.get("outcome", {}).get("S")
                return Claim(ClaimStatus.DONE, Delivery(outcome) if outcome else None)
            return Claim(ClaimStatus.BUSY)
        return Claim(ClaimStatus.CLAIMED)

    def mark_done(self, notification_id: str, outcome: Delivery) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key=_marker_key(notification_id),
            UpdateExpression="SET #state = :done, outcome = :outcome, expires_at = :expires",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":done": _s(DONE),
                ":outcome": _s(outcome.value),
                ":expires": _n(int(time.time()) + MARKER_TTL_SECONDS),
            },
        )

    def release(self, notification_id: str) -> None:
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=_marker_key(notification_id),
                # A delivery marked done stays: only an unfinished claim is given back.
                ConditionExpression="#state = :claimed",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":claimed": _s(CLAIMED)},
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise


def _condition_failed(error: ClientError) -> bool:
    code: object = error.response.get("Error", {}).get("Code")
    return code == "ConditionalCheckFailedException"


def _preferences_key(player_id: str) -> Item:
    return {"pk": _s(f"PLAYER#{player_id}"), "sk": _s("PREFERENCES")}


def _marker_key(notification_id: str) -> Item:
    return {"pk": _s(f"NOTIFICATION#{notification_id}"), "sk": _s("DELIVERY")}


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _timestamp(moment: datetime) -> str:
    """UTC ISO 8601 with a fixed width, so timestamps compare as strings in conditions."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
