"""DynamoDB adapters of the scheduled jobs: paginated scans of the wallet and sessions tables.

Scans, not queries, and why: the jobs look at every player, every idle session or every entry of a
day, and neither table has an index by time (the ledger's index is by player). A scan reads the whole
table, page by page (1 MB each); the filter drops what a job does not want after it is read, so a
job's cost grows with the table, not with what it finds. Items of kinds a job does not know (other
sort keys, e.g. another module's items in the wallet table) are filtered out by their sort key.
Timestamps are stored as fixed-width UTC ISO 8601 strings, so they compare as strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from ..domain.sessions import SessionStatus
from ..domain.wallet import LedgerEntry
from .dynamodb import _DynamoTable, _key, _s, _timestamp
from .dynamodb_sessions import _session_pk
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


class DynamoSessionHousekeeping(_DynamoTable):
    """Idle and ended sessions (sk SESSION) of the sessions table, and the conditional purge."""

    def idle_session_ids(self, seen_before: datetime) -> Iterator[str]:
        return self._session_ids(
            "sk = :session AND #status = :active AND last_seen_at < :cutoff",
            SessionStatus.ACTIVE,
            seen_before,
        )

    def ended_session_ids(self, ended_before: datetime) -> Iterator[str]:
        return self._session_ids(
            "sk = :session AND #status = :ended AND ended_at < :cutoff", SessionStatus.ENDED, ended_before
        )

    def purge_session(self, session_id: str, ended_before: datetime) -> bool:
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=_key(_session_pk(session_id), "SESSION"),
                # Checked in the delete itself: a session revived or changed since the scan stays.
                ConditionExpression="#status = :ended AND ended_at < :cutoff",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":ended": _s(SessionStatus.ENDED.value),
                    ":cutoff": _s(_timestamp(ended_before)),
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _session_ids(self, condition: str, status: SessionStatus, cutoff: datetime) -> Iterator[str]:
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table_name,
            FilterExpression=condition,
            ProjectionExpression="pk",
            ExpressionAttributeNames={"#status": "status"},  # a reserved word in DynamoDB expressions
            ExpressionAttributeValues={
                ":session": _s("SESSION"),
                f":{status.value}": _s(status.value),
                ":cutoff": _s(_timestamp(cutoff)),
            },
        )
        for page in pages:
            for item in page.get("Items", []):
                pk = item["pk"]["S"]
                if pk.startswith("SESSION#"):
                    yield pk.removeprefix("SESSION#")
