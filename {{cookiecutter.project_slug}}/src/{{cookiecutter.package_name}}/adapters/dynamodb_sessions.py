"""The sessions' DynamoDB store: player sessions and their once-per-event activity totals.

Item layout (keys `pk`/`sk`):
- session          pk=SESSION#<session_id> sk=SESSION           player_id, status, times, totals
- activity marker  pk=SESSION#<session_id> sk=EVENT#<event_id>  expires_at (TTL)
"""

from __future__ import annotations

import time
from datetime import datetime

from ..domain.errors import NotFound
from ..domain.sessions import Session, SessionActivity, SessionStatus
from .dynamodb import Item, TransactionCancelled, _DynamoTable, _key, _n, _s, _timestamp

# Activity markers outlive every copy of the event: the queue keeps it 4 days, its dead-letter queue
# 14 days, so a message redriven from the dead-letter queue is still recognised as applied.
MARKER_TTL_SECONDS = 15 * 24 * 3600


class DynamoSessionStore(_DynamoTable):
    """Player sessions and their once-per-event activity totals in one DynamoDB table."""

    def save(self, session: Session) -> None:
        # Lifecycle fields only: the activity totals belong to record_activity, which may run at the
        # same time in the worker; a whole-item put here would lose its increments.
        names = {"#status": "status"}
        values: Item = {
            ":player": _s(session.player_id),
            ":status": _s(session.status.value),
            ":started": _s(_timestamp(session.started_at)),
            ":seen": _s(_timestamp(session.last_seen_at)),
            ":zero": _n(0),
        }
        update = (
            "SET player_id = :player, #status = :status, started_at = :started, last_seen_at = :seen, "
            "bets = if_not_exists(bets, :zero), staked = if_not_exists(staked, :zero), "
            "won = if_not_exists(won, :zero)"
        )
        if session.reality_check_minutes is not None:
            # Only sessions with reality checks (player protection's) carry them; absent reads as none.
            update += ", reality_checks_due = :checks_due, reality_check_minutes = :check_minutes"
            values[":checks_due"] = _n(session.reality_checks_due)
            values[":check_minutes"] = _n(session.reality_check_minutes)
        if session.ended_at is not None:
            update += ", ended_at = :ended"
            values[":ended"] = _s(_timestamp(session.ended_at))
        else:
            update += " REMOVE ended_at"
        self.client.update_item(
            TableName=self.table_name,
            Key=_key(_session_pk(session.session_id), "SESSION"),
            UpdateExpression=update,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def get(self, session_id: str) -> Session | None:
        item = self._get(_session_pk(session_id), "SESSION")
        if item is None:
            return None
        return Session(
            session_id=session_id,
            player_id=item["player_id"]["S"],
            status=SessionStatus(item["status"]["S"]),
            started_at=datetime.fromisoformat(item["started_at"]["S"]),
            last_seen_at=datetime.fromisoformat(item["last_seen_at"]["S"]),
            ended_at=datetime.fromisoformat(item["ended_at"]["S"]) if "ended_at" in item else None,
            activity=SessionActivity(
                bets=int(item["bets"]["N"]), staked=int(item["staked"]["N"]), won=int(item["won"]["N"])
            ),
            reality_check_minutes=(
                int(item["reality_check_minutes"]["N"]) if "reality_check_minutes" in item else None
            ),
            reality_checks_due=int(item.get("reality_checks_due", {"N": "0"})["N"]),
        )

    def record_activity(self, session_id: str, event_id: str, activity: SessionActivity) -> bool:
        # TTL runs on DynamoDB's wall clock, so the marker's expiry uses the real time too.
        marker = {
            "Put": {
                "TableName": self.table_name,
                "Item": {
                    **_key(_session_pk(session_id), f"EVENT#{event_id}"),
                    "expires_at": _n(int(time.time()) + MARKER_TTL_SECONDS),
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        add_totals = {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(_session_pk(session_id), "SESSION"),
                "UpdateExpression": "ADD bets :bets, staked :staked, won :won",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {
                    ":bets": _n(activity.bets),
                    ":staked": _n(activity.staked),
                    ":won": _n(activity.won),
                },
            }
        }
        try:
            self._transact([marker, add_totals])
        except TransactionCancelled as cancelled:
            if cancelled.failed(1):
                raise NotFound(f"session {session_id} does not exist") from None
            if cancelled.failed(0):
                return False
            raise
        return True


def _session_pk(session_id: str) -> str:
    return f"SESSION#{session_id}"
