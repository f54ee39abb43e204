"""The sessions' Azure Table Storage store: player sessions and their once-per-event activity totals.

Entity layout: a player's sessions live in the player's partition (PartitionKey = the player's id), so a
sign-in and a sign-out are each ONE entity group transaction (Table Storage allows one within a
partition only); keys are percent-encoded (adapters/azure_tables.py), so an id never holds a `:`.
- session          RowKey=SESSION:<session_id>  player_id, status, started_at, last_seen_at, ended_at?,
                   bets, staked, won (Int64), place? (the place a `start` took), reality_check_minutes?,
                   reality_checks_due?
- activity marker  RowKey=EVENT:<session_id>:<event_id>  recorded_at (an event is added once)
- active place     RowKey=ACTIVE:<n>  session_id, started_at (places 0 .. cap-1)
- session's player PartitionKey=SESSION:<session_id> RowKey=PLAYER  player_id: where to find a session
                   known by its id only (the worker's activity, `get`); written once, before the session,
                   and never changed (a player's encoded id has no `:`, so no player partition is named so);
                   a sign-in refused after writing it leaves it pointing at no session, read as none

A sign-in creates a free place and its session in one transaction (each "insert if absent"), so two
sign-ins at once never both take the last place; a sign-out updates the session at the ETag it was read
with and deletes its place in one transaction, so a place is freed exactly when its session ends. Table
Storage has no conditional expressions and no atomic counter: activity totals are read, added to and
written back at the session's ETag in the same transaction as the event's marker (insert if absent),
retried when a concurrent write moved the ETag.

Requests per operation: `start` 3 (the places' query, the session's player, the transaction); a
heartbeat's `save` 2 (read, update at its ETag); the sign-out's `save` 2 (read, transaction);
`record_activity` 3 (the session's player, the session, the transaction); `get` 2; `active_sessions` 1
(one filtered query of the player's partition); `is_active_for` (the wallet's bet check) 1. A lost race
costs the reads and the write again.

Table Storage has no TTL: activity markers stay with their session (DynamoDB's expire after 15 days).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from urllib.parse import unquote

from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableClient, TableEntity, TableTransactionError, UpdateMode

from ..domain.errors import NotFound, SessionClosed
from ..domain.sessions import Session, SessionActivity, SessionLimitReached, SessionStatus
from .azure_tables import back_off, error_code, if_unchanged, int64, integer, key, lost_race
from .document_records import timestamp

# Writes lost to a concurrent one (a heartbeat racing the activity worker, redeliveries racing each
# other) read again and try again; this bounds it so a broken table fails loudly instead of spinning.
RACE_ATTEMPTS = 100
# Sign-ins that lost a place to another sign-in look again this often.
START_ATTEMPTS = 3
ACTIVE = "ACTIVE:"
PAST_ACTIVE = "ACTIVE;"
SESSION = "SESSION:"
PAST_SESSION = "SESSION;"


class TableSessionStore:
    """Player sessions and their once-per-event activity totals in one Azure table."""

    def __init__(self, table: TableClient) -> None:
        self.table = table

    def start(self, session: Session, *, max_active: int) -> None:
        for _ in range(START_ATTEMPTS):
            taken = {integer(place, "place") for place in self._places(session.player_id)}
            free = [place for place in range(max_active) if place not in taken]
            # A lowered cap: places at or above it still hold active sessions, and they count.
            if len(taken) >= max_active or not free:
                break
            self._remember_player(session)
            place: dict[str, object] = {
                "PartitionKey": key(session.player_id),
                "RowKey": f"{ACTIVE}{free[0]}",
                "place": free[0],
                "session_id": session.session_id,
                "started_at": timestamp(session.started_at),
            }
            try:
                self.table.submit_transaction(
                    [("create", place), ("create", {**_session_entity(session), "place": free[0]})]
                )
                return
            except TableTransactionError as failure:
                if error_code(failure) != "EntityAlreadyExists" or failure.index != 0:
                    raise
        raise SessionLimitReached(
            f"the player already has {max_active} active sessions; sign out of one first", field="session_id"
        )

    def active_sessions(self, player_id: str) -> list[Session]:
        # One query: the sessions a `start` placed (they carry their place) that are still active.
        found = self.table.query_entities(
            "PartitionKey eq @player and RowKey ge @first and RowKey lt @last "
            "and status eq @active and place ge 0",
            parameters={
                "player": key(player_id),
                "first": SESSION,
                "last": PAST_SESSION,
                "active": SessionStatus.ACTIVE.value,
            },
        )
        sessions = [_session_from(entity) for entity in found]
        return sorted(sessions, key=lambda session: (session.started_at, session.session_id))

    def save(self, session: Session) -> bool:
        for _ in range(RACE_ATTEMPTS):
            stored = self._session(session.player_id, session.session_id)
            try:
                if stored is None:
                    # Never started: created as it is, taking no place.
                    self._remember_player(session)
                    self.table.create_entity(_session_entity(session))
                    return True
                if stored["status"] != SessionStatus.ACTIVE.value:
                    # Never revive: an ended session stays as its first end wrote it.
                    if session.status is SessionStatus.ACTIVE:
                        raise SessionClosed("the session has ended; start a new one", field="session_id")
                    return False
                # Lifecycle fields only, merged at the ETag read: the activity totals belong to
                # record_activity, and a change of them meanwhile makes this read and merge again.
                lifecycle = _lifecycle(session, stored)
                if session.status is SessionStatus.ACTIVE:
                    self.table.update_entity(lifecycle, mode=UpdateMode.MERGE, **if_unchanged(stored))
                    return True
                operations: list[tuple[object, ...]] = [
                    ("update", lifecycle, {"mode": UpdateMode.MERGE, **if_unchanged(stored)})
                ]
                if "place" in stored:
                    # The place is this session's while the session is active, which its ETag proves.
                    operations.append(
                        ("delete", {"PartitionKey": key(session.player_id), "RowKey": _place_key(stored)})
                    )
                self.table.submit_transaction(operations)
                return True
            except (ResourceExistsError, ResourceNotFoundError):
                back_off()
            except HttpResponseError as failure:
                if not lost_race(failure):
                    raise
                back_off()
        raise RuntimeError(f"session {session.session_id}: kept losing races to other writes")

    def get(self, session_id: str) -> Session | None:
        player_id = self._player_of(session_id)
        if player_id is None:
            return None
        stored = self._session(player_id, session_id)
        return None if stored is None else _session_from(stored)

    def is_active_for(self, session_id: str, player_id: str) -> bool:
        """Whether the session is the player's and active: ONE read of the player's partition (the
        wallet's check before a bet)."""
        stored = self._session(player_id, session_id)
        return stored is not None and stored["status"] == SessionStatus.ACTIVE.value

    def record_activity(self, session_id: str, event_id: str, activity: SessionActivity) -> bool:
        player_id = self._player_of(session_id)
        for _ in range(RACE_ATTEMPTS):
            stored = None if player_id is None else self._session(player_id, session_id)
            if player_id is None or stored is None:
                raise NotFound(f"session {session_id} does not exist")
            marker = {
                "PartitionKey": key(player_id),
                "RowKey": f"EVENT:{key(session_id)}:{key(event_id)}",
                "recorded_at": timestamp(datetime.now(UTC)),
            }
            totals = {
                "PartitionKey": key(player_id),
                "RowKey": _session_key(session_id),
                "bets": int64(integer(stored, "bets") + activity.bets),
                "staked": int64(integer(stored, "staked") + activity.staked),
                "won": int64(integer(stored, "won") + activity.won),
            }
            try:
                self.table.submit_transaction(
                    [
                        ("create", marker),
                        ("update", totals, {"mode": UpdateMode.MERGE, **if_unchanged(stored)}),
                    ]
                )
                return True
            except TableTransactionError as failure:
                if error_code(failure) == "EntityAlreadyExists" and failure.index == 0:
                    return False  # applied already: the marker is written with the totals
                if not lost_race(failure):
                    raise
                back_off()
        raise RuntimeError(f"session {session_id}: kept losing races to other activity")

    def _places(self, player_id: str) -> list[TableEntity]:
        return list(
            self.table.query_entities(
                "PartitionKey eq @player and RowKey ge @first and RowKey lt @last",
                parameters={"player": key(player_id), "first": ACTIVE, "last": PAST_ACTIVE},
                select=["place"],
            )
        )

    def _session(self, player_id: str, session_id: str) -> TableEntity | None:
        try:
            return self.table.get_entity(key(player_id), _session_key(session_id))
        except ResourceNotFoundError:
            return None

    def _player_of(self, session_id: str) -> str | None:
        try:
            entity = self.table.get_entity(f"{SESSION}{key(session_id)}", "PLAYER")
        except ResourceNotFoundError:
            return None
        return str(entity["player_id"])

    def _remember_player(self, session: Session) -> None:
        """Where the session is found by its id: written once (the first player a session id names)."""
        with contextlib.suppress(ResourceExistsError):
            self.table.create_entity(
                {
                    "PartitionKey": f"{SESSION}{key(session.session_id)}",
                    "RowKey": "PLAYER",
                    "player_id": session.player_id,
                }
            )


def _session_key(session_id: str) -> str:
    return f"{SESSION}{key(session_id)}"


def _place_key(stored: TableEntity) -> str:
    return f"{ACTIVE}{integer(stored, 'place')}"


def _session_entity(session: Session) -> dict[str, object]:
    return {
        **_lifecycle(session, None),
        "started_at": timestamp(session.started_at),
        "bets": int64(0),
        "staked": int64(0),
        "won": int64(0),
    }


def _lifecycle(session: Session, stored: TableEntity | None) -> dict[str, object]:
    """The lifecycle fields `save` writes (merged into what is stored: the totals stay)."""
    entity: dict[str, object] = {
        "PartitionKey": key(session.player_id),
        "RowKey": _session_key(session.session_id),
        "player_id": session.player_id,
        "status": session.status.value,
        "started_at": timestamp(session.started_at),
        "last_seen_at": timestamp(session.last_seen_at),
    }
    if session.ended_at is not None:
        entity["ended_at"] = timestamp(session.ended_at)
    if session.reality_check_minutes is not None:
        # Only sessions with reality checks (player protection's) carry them; absent reads as none.
        entity["reality_check_minutes"] = session.reality_check_minutes
        entity["reality_checks_due"] = session.reality_checks_due
    return entity


def _session_from(entity: TableEntity) -> Session:
    return Session(
        session_id=unquote(entity["RowKey"].removeprefix(SESSION)),
        player_id=entity["player_id"],
        status=SessionStatus(entity["status"]),
        started_at=datetime.fromisoformat(entity["started_at"]),
        last_seen_at=datetime.fromisoformat(entity["last_seen_at"]),
        ended_at=datetime.fromisoformat(entity["ended_at"]) if "ended_at" in entity else None,
        activity=SessionActivity(
            bets=integer(entity, "bets"), staked=integer(entity, "staked"), won=integer(entity, "won")
        ),
        reality_check_minutes=(
            integer(entity, "reality_check_minutes") if "reality_check_minutes" in entity else None
        ),
        reality_checks_due=integer(entity, "reality_checks_due"),
    )
