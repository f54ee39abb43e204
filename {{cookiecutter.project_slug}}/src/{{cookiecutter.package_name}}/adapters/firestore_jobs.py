"""The sessions' scheduled jobs on Firestore: queries of the sessions' documents, and the purge.

The documents are the session store's (adapters/firestore_sessions.py: sessions/<session_id>). Each
scan is one query on one field, served by Firestore's automatic single-field index, so no composite
index is needed:
- idle sessions      `status == active`, oldest heartbeat filtered here: the active sessions are few
                     (each player holds a handful at most), the ended ones many and kept for years.
- ended sessions     `ended_at < cutoff` (only an ended session has `ended_at`), its status checked here.
Timestamps are fixed-width UTC ISO 8601 strings (document_records.timestamp), so they compare as
strings. The query streams page by page: a job that stops early reads no further.

The purge reads the session, then deletes it in ONE commit conditioned on the update time it read: a
session changed since (revived, ended again) fails the delete and stays, as the DynamoDB delete's
condition does. Its activity markers are left to their TTL policy (infra/modules/sessions). The
ledger's jobs: firestore_ledger_jobs.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from google.api_core.exceptions import FailedPrecondition, NotFound
from google.cloud.firestore_v1.base_query import FieldFilter

from ..domain.sessions import SessionStatus
from .document_records import timestamp
from .firestore_sessions import SESSIONS


class FirestoreSessionHousekeeping:
    """Idle and ended sessions of the sessions' collection, and the conditional purge."""

    def __init__(self, client: Any, *, sessions_collection: str = SESSIONS) -> None:
        self.client = client
        self.sessions_collection = sessions_collection

    def idle_session_ids(self, seen_before: datetime) -> Iterator[str]:
        cutoff = timestamp(seen_before)
        query = (
            self.client.collection(self.sessions_collection)
            .where(filter=FieldFilter("status", "==", SessionStatus.ACTIVE.value))
            .select(["last_seen_at"])
        )
        for snapshot in query.stream():
            last_seen = (snapshot.to_dict() or {}).get("last_seen_at")
            if isinstance(last_seen, str) and last_seen < cutoff:
                yield snapshot.id

    def ended_session_ids(self, ended_before: datetime) -> Iterator[str]:
        query = (
            self.client.collection(self.sessions_collection)
            .where(filter=FieldFilter("ended_at", "<", timestamp(ended_before)))
            .select(["status"])
        )
        for snapshot in query.stream():
            if (snapshot.to_dict() or {}).get("status") == SessionStatus.ENDED.value:
                yield snapshot.id

    def purge_session(self, session_id: str, ended_before: datetime) -> bool:
        ref = self.client.document(f"{self.sessions_collection}/{session_id}")
        snapshot = ref.get()
        stored = snapshot.to_dict() if snapshot.exists else None
        if stored is None or stored.get("status") != SessionStatus.ENDED.value:
            return False
        ended_at = stored.get("ended_at")
        if not isinstance(ended_at, str) or ended_at >= timestamp(ended_before):
            return False
        try:
            # Conditioned on the update time read: a session changed since the read stays.
            ref.delete(option=self.client.write_option(last_update_time=snapshot.update_time))
        except (FailedPrecondition, NotFound):
            return False
        return True
