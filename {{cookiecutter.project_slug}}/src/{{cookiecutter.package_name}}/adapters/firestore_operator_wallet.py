"""The platform webhook's event log in Firestore (the casino's named database): one document per event id.

Document layout: platform_events/<event_id>  digest, received_at, published (bool), expires_at. The
claim is ONE commit creating the document only if absent, so two deliveries of one event at once cannot
both publish it as new; the loser reads the winner's document (one read). `expires_at` is a timestamp:
the database's TTL policy on platform_events deletes the document after it (infra/modules/operator_wallet).
Event ids are the platform's (PLATFORM_ID_RE in domain/operator_wallet.py: no `/`), so each is a
document id as it stands.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore

from ..domain.operator_wallet import Claim

PLATFORM_EVENTS = "platform_events"
# A redelivery after this long is published again (consumers still count it once by event id): the
# operator's platform retries for hours, not weeks.
MARKER_TTL = timedelta(days=30)


class FirestorePlatformEventLog:
    """The webhook's event ids in the casino database's platform_events collection."""

    def __init__(
        self,
        database: str,
        client: Any | None = None,
        *,
        project: str | None = None,
        collection: str = PLATFORM_EVENTS,
    ) -> None:
        self.client = client if client is not None else firestore.Client(project=project, database=database)
        self.collection = collection

    def claim(self, event_id: str, digest: str, at: datetime) -> Claim:
        document = self.client.collection(self.collection).document(event_id)
        try:
            document.create(
                {
                    "digest": digest,
                    "received_at": at.isoformat(),
                    "published": False,
                    "expires_at": datetime.now(UTC) + MARKER_TTL,
                }
            )
        except AlreadyExists:
            earlier = document.get().to_dict() or {}
            if earlier.get("digest") != digest:
                return Claim.CONFLICT
            return Claim.PUBLISHED if earlier.get("published") is True else Claim.PENDING
        return Claim.NEW

    def mark_published(self, event_id: str) -> None:
        self.client.collection(self.collection).document(event_id).update({"published": True})
