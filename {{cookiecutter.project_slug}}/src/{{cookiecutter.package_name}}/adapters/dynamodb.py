"""What the DynamoDB adapters share: one table with a client created on first use, and item helpers.

Each store has its own module (dynamodb_wallet, dynamodb_sessions, dynamodb_audit and one per optional
module), so a function imports only the stores, and the domain modules, that it uses. A cancelled
transaction names, per item, the condition that failed; with ReturnValuesOnConditionCheckFailure=ALL_OLD
it also returns the item as it was, so a store tells a replayed id from a short balance without another
read.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from .aws_clients import LazyClient

Item = dict[str, dict[str, Any]]

# Concurrent transactions on one item are cancelled with TransactionConflict (nothing applied);
# botocore does not retry them, so the adapter does, a few times with jitter.
CONFLICT_ATTEMPTS = 4


class TransactionCancelled(Exception):
    """A TransactWriteItems was cancelled; `reasons` holds one cancellation reason per item."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__([reason.get("Code") for reason in reasons])
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        """Whether the condition of the item at `index` failed."""
        return self.reasons[index].get("Code") == "ConditionalCheckFailed"

    def old_item(self, index: int) -> Item | None:
        """The item at `index` as it was when its condition failed (None if it did not exist)."""
        item: Item | None = self.reasons[index].get("Item")
        return item


class _DynamoTable:
    """One table and a low-level client, created on first use so imports stay cheap."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self._client = LazyClient("dynamodb", client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def _get(self, pk: str, sk: str) -> Item | None:
        response = self.client.get_item(TableName=self.table_name, Key=_key(pk, sk), ConsistentRead=True)
        item: Item | None = response.get("Item")
        return item

    def _transact(self, items: list[dict[str, Any]]) -> None:
        """Run one TransactWriteItems; retry only when every failure is a transaction conflict."""
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                self.client.transact_write_items(TransactItems=items)
                return
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons", [])
                codes = {reason.get("Code") for reason in reasons} - {"None"}
                if codes == {"TransactionConflict"} and attempt < CONFLICT_ATTEMPTS:
                    time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not crypto
                    continue
                raise TransactionCancelled(reasons) from error


def _key(pk: str, sk: str) -> Item:
    return {"pk": _s(pk), "sk": _s(sk)}


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _timestamp(moment: datetime) -> str:
    """UTC ISO 8601 with a fixed width, so timestamps sort as strings (the GSI's sort key)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
