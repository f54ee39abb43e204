"""DynamoDB adapter of the ledger's scheduled jobs: paginated scans of the wallet table.

Scans, not queries, and why: reconciliation looks at every player and the export at every entry of a
day, and the ledger's only index is by player. A scan reads the whole table, page by page (1 MB each);
the filter drops what a job does not want after it is read, so a job's cost grows with the table, not
with what it finds. Items of kinds a job does not know (other sort keys, e.g. another module's items in
the wallet table) are filtered out by their sort key. Timestamps are stored as fixed-width UTC ISO 8601
strings, so they compare as strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..domain.wallet import LedgerEntry
from .dynamodb import _DynamoTable, _s, _timestamp
from .dynamodb_wallet import _entry_from_item


class DynamoWalletScanner(_DynamoTable):
    """Players with a balance (sk BALANCE) and ledger entries (sk TX#...) of the wallet table."""

    def player_ids(self) -> Iterator[str]:
        for item in self._scan(
            FilterExpression="sk = :balance",
            ProjectionExpression="pk",
            ExpressionAttributeValues={":balance": _s("BALANCE")},
        ):
            pk = item["pk"]["S"]
            if pk.startswith("PLAYER#"):
                yield pk.removeprefix("PLAYER#")

    def entries_created_between(self, start: datetime, end: datetime) -> Iterator[LedgerEntry]:
        for item in self._scan(
            FilterExpression="begins_with(sk, :entry) AND created_at >= :start AND created_at < :end",
            ExpressionAttributeValues={
                ":entry": _s("TX#"),
                ":start": _s(_timestamp(start)),
                ":end": _s(_timestamp(end)),
            },
        ):
            if item["pk"]["S"].startswith("PLAYER#"):
                yield _entry_from_item(item)

    def _scan(self, **arguments: Any) -> Iterator[dict[str, Any]]:
        pages = self.client.get_paginator("scan").paginate(TableName=self.table_name, **arguments)
        for page in pages:
            yield from page.get("Items", [])
