"""The sessions' DynamoDB store: player sessions and their once-per-event activity totals.

Item layout (keys `pk`/`sk`):
- session          pk=SESSION#<session_id> sk=SESSION           player_id, status, times, totals
- activity marker  pk=SESSION#<session_id> sk=EVENT#<event_id>  expires_at (TTL)
- active place     pk=PLAYER#<player_id>   sk=ACTIVE#<n>          session_id, started_at

A player's active sessions hold the places 0 .. cap-1 of their partition: a sign-in puts a free place
and its session in one transaction (the place only if absent), a sign-out deletes the place with the
session's end. So two sign-ins at once never both take the last place, and finding a player's active
sessions is one consistent query of one partition (no index, whose reads would lag).
"""

from __future__ import annotations

import time
from datetime import datetime

from botocore.exceptions import ClientError

from ..domain.errors import NotFound, SessionClosed
from ..domain.sessions import Session, SessionActivity, SessionLimitReached, SessionStatus
from .dynamodb import Item, TransactionCancelled, _DynamoTable, _key, _n, _s, _timestamp

# Activity markers outlive every copy of the event: the queue keeps it 4 days, its dead-letter queue
# 14 days, so a message redriven from the dead-letter queue is still recognised as applied.
MARKER_TTL_SECONDS = 15 * 24 * 3600


class DynamoSessionStore(_DynamoTable):
    """Player sessions and their once-per-event activity totals in one DynamoDB table."""

    def start(self, session: Session, *, max_active: int) -> None:
        # A place another sign-in took between the query and the write: look again, a few times.
        for _ in range(3):
            places = self._places(session.player_id)
            taken = {int(item["sk"]["S"].removeprefix(ACTIVE_PREFIX)) for item in places}
            free = [place for place in range(max_active) if place not in taken]
            if len(taken) >= max_active or not free:
                break
            item = self._session_item(session)
            place = {
                **_key(_player_pk(session.player_id), f"{ACTIVE_PREFIX}{free[0]}"),
                "session_id": _s(session.session_id),
                "started_at": _s(_timestamp(session.started_at)),
            }
            try:
                self._transact(
                    [
                        {"Put": _conditional_put(self.table_name, place)},
                        {"Put": _conditional_put(self.table_name, item)},
                    ]
                )
                return
            except TransactionCancelled as cancelled:
                if not cancelled.failed(0):
                    raise
        raise SessionLimitReached(
            f"the player already has {max_active} active sessions; sign out of one first", field="session_id"
        )

    def active_sessions(self, player_id: str) -> list[Session]:
        sessions = [self.get(item["session_id"]["S"]) for item in self._places(player_id)]
        found = [session for session in sessions if session is not None]
        return sorted(found, key=lambda session: (session.started_at, session.session_id))

    def save(self, session: Session) -> bool:
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
        # Never revive: only a session still active (or not yet written) changes. A heartbeat that
        # read the session before a sign-out and writes after it is refused here, not applied.
        values[":active"] = _s(SessionStatus.ACTIVE.value)
        session_update = {
            "TableName": self.table_name,
            "Key": _key(_session_pk(session.session_id), "SESSION"),
            "UpdateExpression": update,
            "ConditionExpression": "attribute_not_exists(pk) OR #status = :active",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if session.status is SessionStatus.ACTIVE:
            try:
                self.client.update_item(**session_update)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                raise SessionClosed("the session has ended; start a new one", field="session_id") from None
            return True
        # Ending frees the session's place in the same transaction.
        places = [
            item for item in self._places(session.player_id) if item["session_id"]["S"] == session.session_id
        ]
        free_place = [
            {
                "Delete": {
                    "TableName": self.table_name,
                    "Key": _key(_player_pk(session.player_id), place["sk"]["S"]),
                    "ConditionExpression": "session_id = :session",
                    "ExpressionAttributeValues": {":session": _s(session.session_id)},
                }
            }
            for place in places
        ]
        try:
            self._transact([{"Update": session_update}, *free_place])
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                return False  # ended already: the first end stays as written
            raise
        return True

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

    def _places(self, player_id: str) -> list[Item]:
        """The places the player's active sessions hold (consistent: a sign-in just written is seen)."""
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :player AND begins_with(sk, :active)",
            ExpressionAttributeValues={":player": _s(_player_pk(player_id)), ":active": _s(ACTIVE_PREFIX)},
            ConsistentRead=True,
        )
        items: list[Item] = response.get("Items", [])
        return items

    @staticmethod
    def _session_item(session: Session) -> Item:
        item: Item = {
            **_key(_session_pk(session.session_id), "SESSION"),
            "player_id": _s(session.player_id),
            "status": _s(session.status.value),
            "started_at": _s(_timestamp(session.started_at)),
            "last_seen_at": _s(_timestamp(session.last_seen_at)),
            "bets": _n(0),
            "staked": _n(0),
            "won": _n(0),
        }
        if session.reality_check_minutes is not None:
            item["reality_checks_due"] = _n(session.reality_checks_due)
            item["reality_check_minutes"] = _n(session.reality_check_minutes)
        return item


# The sort key prefix of a player's active places: ACTIVE#0 .. ACTIVE#<cap - 1>.
ACTIVE_PREFIX = "ACTIVE#"


def _conditional_put(table_name: str, item: Item) -> dict[str, object]:
    return {"TableName": table_name, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}


def _session_pk(session_id: str) -> str:
    return f"SESSION#{session_id}"


def _player_pk(player_id: str) -> str:
    return f"PLAYER#{player_id}"
