"""The reporting module's Firestore store (the casino's named database): daily GGR totals per currency.

Document layout:
- daily totals   ggr_days/<YYYY-MM-DD>/currencies/<currency>  bets, stakes, wins, rolled_back_stakes (cash
                 play) and bonus_bets, bonus_stakes, bonus_wins, bonus_rolled_back_stakes
- counted event  ggr_events/<event_id>  expires_at (a timestamp: the database's TTL policy on it deletes
                 the marker, infra/modules/reporting)

Counting an event is ONE commit: the event's marker, created only if absent, and server-side increments
of its day's totals (the document is made by the first play of the day and currency). A redelivered
event fails the marker's precondition and the commit adds nothing; nothing is read, so concurrent
deliveries never queue on a lock (the database runs in pessimistic concurrency mode). A day's totals
are one query of its small collection. Every wallet event goes to BigQuery as well, with no code (the
Pub/Sub BigQuery subscription of infra/modules/reporting): these totals are the report's, not the
analysts'.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.cloud import firestore

from ..domain.reporting import TOTALS_FIELDS, DailyTotals, GgrDay, Play, PlayTotals

DAYS = "ggr_days"
EVENTS = "ggr_events"
# Markers outlive every copy of the event: the push subscription's retention and its dead-letter topic's.
MARKER_TTL = timedelta(days=15)


class FirestoreGgrTotalsStore:
    """Daily totals per currency and once-per-event markers in Firestore documents."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def add(self, play: Play) -> bool:
        batch = self.client.batch()
        # TTL runs on the database's wall clock, so the marker's expiry uses the real time too.
        batch.create(
            self.client.document(f"{EVENTS}/{play.event_id}"), {"expires_at": datetime.now(UTC) + MARKER_TTL}
        )
        batch.set(
            self.client.document(f"{DAYS}/{play.day.isoformat()}/currencies/{play.currency}"),
            {name: firestore.Increment(getattr(play.totals, name)) for name in TOTALS_FIELDS},
            merge=True,
        )
        try:
            batch.commit()
        except AlreadyExists:
            return False
        return True

    def day_totals(self, day: GgrDay) -> list[DailyTotals]:
        found = self.client.collection(f"{DAYS}/{day.isoformat()}/currencies").stream()
        lines = [
            DailyTotals(
                day=day,
                currency=snapshot.id,
                totals=PlayTotals(
                    **{name: int((snapshot.to_dict() or {}).get(name, 0)) for name in TOTALS_FIELDS}
                ),
            )
            for snapshot in found
        ]
        return sorted(lines, key=lambda line: line.currency)
