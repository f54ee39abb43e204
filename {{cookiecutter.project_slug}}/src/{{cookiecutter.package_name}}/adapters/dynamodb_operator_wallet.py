"""DynamoDB event log of the platform webhook: one item per event id the operator's platform sent.

Item layout (keys `pk`/`sk`): pk=PLATFORM_EVENT#<event_id> sk=RECEIVED  digest, received_at,
published (bool), expires_at (TTL). The claim is one conditional PutItem, so two deliveries of one
event at once cannot both publish it as new.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from ..domain.operator_wallet import Claim
from .aws_clients import LazyClient

# A redelivery after this long is published again (consumers still count it once by event id): the
# operator's platform retries for hours, not weeks.
MARKER_TTL_SECONDS = 30 * 24 * 3600


class DynamoPlatformEventLog:
    """The webhook's event ids in the operator wallet's table."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self._client = LazyClient("dynamodb", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def claim(self, event_id: str, digest: str, at: datetime) -> Claim:
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    **_key(event_id),
                    "digest": {"S": digest},
                    "received_at": {"S": at.isoformat()},
                    "published": {"BOOL": False},
                    "expires_at": {"N": str(int(time.time()) + MARKER_TTL_SECONDS)},
                },
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            item = error.response.get("Item") or self._item(event_id)
            if item["digest"]["S"] != digest:
                return Claim.CONFLICT
            return Claim.PUBLISHED if item["published"]["BOOL"] else Claim.PENDING
        return Claim.NEW

    def mark_published(self, event_id: str) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key=_key(event_id),
            UpdateExpression="SET published = :yes",
            ExpressionAttributeValues={":yes": {"BOOL": True}},
        )

    def _item(self, event_id: str) -> dict[str, Any]:
        item: dict[str, Any] = self.client.get_item(
            TableName=self.table_name, Key=_key(event_id), ConsistentRead=True
        )["Item"]
        return item


def _key(event_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"PLATFORM_EVENT#{event_id}"}, "sk": {"S": "RECEIVED"}}
