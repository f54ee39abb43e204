"""Table Storage adapter of the sessions' scheduled jobs: scans of the Sessions table, and the purge.

The table is the sessions store's (adapters/table_sessions.py): a session is the entity RowKey
SESSION:<session id> in its player's partition. Scans, not queries, and why: the jobs look at every
idle or ended session, and Table Storage indexes PartitionKey and RowKey only. The filter names the
sessions' RowKey range, so the service reads the partitions in turn and answers with the matching
sessions only, 1,000 a page, fetched as the job asks for them (on Cosmos DB for Table every property
is indexed, and the same filter is an index lookup). Timestamps are fixed-width UTC ISO 8601 strings,
so they compare as strings. The ledger's jobs scan the Wallet table in table_ledger_jobs.py.

The purge, for an ended session past the retention: its activity markers (EVENT:<session id>:...,
in the player's partition, up to 100 a transaction), then the session at the ETag it was read with
(a session changed since it was read stays), then the pointer from its id to its player. Table
Storage has no TTL: unlike DynamoDB's, the markers would otherwise stay. A run stopped between those
steps leaves the session, which the next run finds and purges again; one stopped after the session's
delete leaves the pointer, which names no session and reads as none.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import unquote

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.data.tables import TableClient

from ..domain.sessions import SessionStatus
from .azure_tables import TRANSACTION_OPERATIONS, if_unchanged, key
from .document_records import timestamp
from .table_sessions import PAST_SESSION, SESSION


class TableSessionHousekeeping:
    """Idle and ended sessions of the Sessions table, and the purge of an ended one."""

    def __init__(self, table: TableClient) -> None:
        self.table = table

    def idle_session_ids(self, seen_before: datetime) -> Iterator[str]:
        return self._session_ids("last_seen_at", SessionStatus.ACTIVE, seen_before)

    def ended_session_ids(self, ended_before: datetime) -> Iterator[str]:
        return self._session_ids("ended_at", SessionStatus.ENDED, ended_before)

    def purge_session(self, session_id: str, ended_before: datetime) -> bool:
        pointer = f"{SESSION}{key(session_id)}"
        try:
            player = self.table.get_entity(pointer, "PLAYER")["player_id"]
            stored = self.table.get_entity(key(player), pointer)
        except ResourceNotFoundError:
            return False
        if stored.get("status") != SessionStatus.ENDED.value:
            return False
        if "ended_at" not in stored or stored["ended_at"] >= timestamp(ended_before):
            return False
        markers = self.table.query_entities(
            "PartitionKey eq @player and RowKey ge @first and RowKey lt @last",
            parameters={
                "player": key(player),
                "first": f"EVENT:{key(session_id)}:",
                "last": f"EVENT:{key(session_id)};",
            },
            select=["PartitionKey", "RowKey"],
        )
        batch: list[tuple[str, dict[str, str]]] = []
        for marker in markers:
            batch.append(("delete", {"PartitionKey": marker["PartitionKey"], "RowKey": marker["RowKey"]}))
            if len(batch) == TRANSACTION_OPERATIONS:
                self.table.submit_transaction(batch)
                batch = []
        if batch:
            self.table.submit_transaction(batch)
        try:
            # At the ETag read: a session written since (a late activity, another purge) stays.
            self.table.delete_entity(key(player), pointer, **if_unchanged(stored))
        except ResourceNotFoundError:
            return False
        except HttpResponseError as failure:
            if failure.status_code == 412:
                return False
            raise
        with contextlib.suppress(ResourceNotFoundError):
            self.table.delete_entity(pointer, "PLAYER")
        return True

    def _session_ids(self, field: str, status: SessionStatus, cutoff: datetime) -> Iterator[str]:
        found = self.table.query_entities(
            f"RowKey ge @first and RowKey lt @last and status eq @status and {field} lt @cutoff",
            parameters={
                "first": SESSION,
                "last": PAST_SESSION,
                "status": status.value,
                "cutoff": timestamp(cutoff),
            },
            select=["RowKey"],
        )
        for entity in found:
            yield unquote(entity["RowKey"].removeprefix(SESSION))
