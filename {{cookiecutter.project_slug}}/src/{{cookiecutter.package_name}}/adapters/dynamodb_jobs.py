"""DynamoDB adapter of the sessions' scheduled jobs: paginated scans of the sessions table, and the purge.

Scans, not queries, and why: the jobs look at every idle or ended session, and the table has no index
by time. A scan reads the whole table, page by page (1 MB each); the filter drops what a job does not
want after it is read, so a job's cost grows with the table, not with what it finds. Timestamps are
stored as fixed-width UTC ISO 8601 strings, so they compare as strings. The ledger's jobs scan the
wallet's table in dynamodb_ledger_jobs.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from botocore.exceptions import ClientError

from ..domain.sessions import SessionStatus
from .dynamodb import _DynamoTable, _key, _s, _timestamp
from .dynamodb_sessions import _session_pk


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
