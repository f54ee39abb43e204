"""Table Storage event log of the platform webhook: one entity per event id the operator's platform sent.

Entity layout (the PlatformEvents table; keys percent-encoded by adapters/azure_tables.py):
PartitionKey=PLATFORM_EVENT:<event_id>  RowKey=RECEIVED  digest, received_at, published (bool).

The claim is one insert-if-absent (create_entity: 409 EntityAlreadyExists when the id is there), so two
deliveries of one event at once cannot both publish it as new; the loser reads the entity and answers
from its digest and its `published` mark. Requests: a new id 1; a known id 2 (the refused insert, the
read); `mark_published` 1 (a merge).

Table Storage has no TTL: an event id stays (DynamoDB's expire after 30 days), so a redelivery however
late is answered "duplicate", never published again; one small entity per event of the operator's play.
"""

from __future__ import annotations

from datetime import datetime

from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, UpdateMode

from ..domain.operator_wallet import Claim
from .azure_tables import key
from .document_records import timestamp

RECEIVED = "RECEIVED"


class TablePlatformEventLog:
    """The webhook's event ids in the operator wallet's PlatformEvents table."""

    def __init__(self, table: TableClient) -> None:
        self.table = table

    def claim(self, event_id: str, digest: str, at: datetime) -> Claim:
        try:
            self.table.create_entity(
                {
                    "PartitionKey": _partition(event_id),
                    "RowKey": RECEIVED,
                    "digest": digest,
                    "received_at": timestamp(at),
                    "published": False,
                }
            )
        except ResourceExistsError:
            stored = self.table.get_entity(_partition(event_id), RECEIVED)
            if stored["digest"] != digest:
                return Claim.CONFLICT
            return Claim.PUBLISHED if stored.get("published") is True else Claim.PENDING
        return Claim.NEW

    def mark_published(self, event_id: str) -> None:
        self.table.update_entity(
            {"PartitionKey": _partition(event_id), "RowKey": RECEIVED, "published": True},
            mode=UpdateMode.MERGE,
        )


def _partition(event_id: str) -> str:
    return f"PLATFORM_EVENT:{key(event_id)}"
