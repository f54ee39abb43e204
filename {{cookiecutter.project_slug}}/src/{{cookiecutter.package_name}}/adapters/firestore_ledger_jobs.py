"""The ledger's scheduled jobs on Firestore: the wallet's documents read whole, page by page.

The documents are the wallet store's (adapters/firestore_wallet.py):
- players       the `players` collection: a player's document is their balance, so every document
                there with a currency is a player with a balance (a player with ledger entries only,
                such as a rollback's tombstone of an unseen bet, has none).
- ledger        every player's `ledger` collection, queried as one collection group on `created_at`
                (`start <= created_at < end`), a range on one field: the collection group's single-field
                index on it is infra/modules/scheduled_jobs' `google_firestore_field.ledger_created_at`.
Timestamps are fixed-width UTC ISO 8601 strings, so the range compares them as strings. The queries
stream page by page: a job that stops early reads no further. Entries in a `ledger` collection outside
`players/<player>` (no other store keeps one) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from ..domain.wallet import LedgerEntry
from .document_records import timestamp
from .firestore_wallet import PLAYERS, _entry_from

LEDGER = "ledger"


class FirestoreWalletScanner:
    """Players with a balance and ledger entries of the wallet's documents."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def player_ids(self) -> Iterator[str]:
        for snapshot in self.client.collection(PLAYERS).select(["currency"]).stream():
            if "currency" in (snapshot.to_dict() or {}):
                yield snapshot.id

    def entries_created_between(self, start: datetime, end: datetime) -> Iterator[LedgerEntry]:
        query = (
            self.client.collection_group(LEDGER)
            .where(filter=FieldFilter("created_at", ">=", timestamp(start)))
            .where(filter=FieldFilter("created_at", "<", timestamp(end)))
        )
        for snapshot in query.stream():
            player = snapshot.reference.parent.parent
            if player is None or player.parent.id != PLAYERS:
                continue
            yield _entry_from(snapshot.to_dict())
