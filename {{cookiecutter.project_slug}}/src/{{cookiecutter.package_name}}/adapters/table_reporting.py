"""The reporting module's Azure Table Storage store: daily GGR totals, each wallet event counted once.

Entity layout (the Reporting table of infra/modules/reporting): a day is one partition, so an event's
marker and the totals it adds are ONE entity group transaction. Keys are percent-encoded
(adapters/azure_tables.py).
- totals shard   PartitionKey=GGR:<YYYY-MM-DD>  RowKey=CURRENCY:<currency>:<shard, 2 digits>  the totals
                 of TOTALS_FIELDS (Int64): bets, stakes, wins, rolled_back_stakes, and the bonus ones
- counted event  PartitionKey=GGR:<YYYY-MM-DD>  RowKey=EVENT:<event id>  (a play's day is its event's,
                 so a redelivery meets its marker in the same partition)

Counting a play: 2 requests, the shard's read and one transaction (the marker inserted only if absent,
the shard written at the ETag read, or inserted). A redelivered event fails the marker and adds nothing;
a concurrent count of another event of the same shard fails the ETag, and is read and tried again. Table
Storage has no atomic counter: SHARDS totals entities per day and currency (an event's shard from its
id) spread the plays of a busy day over that many entities, so concurrent workers seldom race for one.
A day's totals: 1 query (the day's CURRENCY rows, summed per currency).

Table Storage has no TTL: the markers stay in their day's partition (DynamoDB's expire after 15 days).
"""

from __future__ import annotations

import hashlib
from urllib.parse import unquote

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, TableEntity, TableTransactionError, UpdateMode

from ..domain.reporting import TOTALS_FIELDS, DailyTotals, GgrDay, Play, PlayTotals
from .azure_tables import back_off, error_code, if_unchanged, int64, integer, key, lost_race

# Totals entities per day and currency: more spreads concurrent counts further; a day's read sums them.
SHARDS = 16
# Counts lost to concurrent ones read again and try again; this bounds it so a broken table fails loudly.
RACE_ATTEMPTS = 100
CURRENCY = "CURRENCY:"
PAST_CURRENCY = "CURRENCY;"


class TableGgrTotalsStore:
    """Daily totals per currency, in shards, and once-per-event markers in one Azure table."""

    def __init__(self, table: TableClient) -> None:
        self.table = table

    def add(self, play: Play) -> bool:
        partition = _day_partition(play.day)
        row = f"{CURRENCY}{key(play.currency)}:{_shard(play.event_id):02d}"
        marker = {"PartitionKey": partition, "RowKey": f"EVENT:{key(play.event_id)}"}
        for _ in range(RACE_ATTEMPTS):
            try:
                stored: TableEntity | None = self.table.get_entity(partition, row)
            except ResourceNotFoundError:
                stored = None
            totals = {
                "PartitionKey": partition,
                "RowKey": row,
                **{
                    name: int64((0 if stored is None else integer(stored, name)) + getattr(play.totals, name))
                    for name in TOTALS_FIELDS
                },
            }
            write = (
                ("create", totals)
                if stored is None
                else ("update", totals, {"mode": UpdateMode.REPLACE, **if_unchanged(stored)})
            )
            try:
                self.table.submit_transaction([("create", marker), write])
                return True
            except TableTransactionError as failure:
                if error_code(failure) == "EntityAlreadyExists" and failure.index == 0:
                    return False  # counted already: the marker is written with the totals
                if not lost_race(failure):
                    raise
                back_off()
        raise RuntimeError(f"event {play.event_id}: kept losing races to other counts")

    def day_totals(self, day: GgrDay) -> list[DailyTotals]:
        found = self.table.query_entities(
            "PartitionKey eq @day and RowKey ge @first and RowKey lt @last",
            parameters={"day": _day_partition(day), "first": CURRENCY, "last": PAST_CURRENCY},
        )
        by_currency: dict[str, PlayTotals] = {}
        for entity in found:
            currency = unquote(entity["RowKey"].removeprefix(CURRENCY).rsplit(":", 1)[0])
            shard = PlayTotals(**{name: integer(entity, name) for name in TOTALS_FIELDS})
            by_currency[currency] = by_currency.get(currency, PlayTotals()).plus(shard)
        return [DailyTotals(day, currency, by_currency[currency]) for currency in sorted(by_currency)]


def _day_partition(day: GgrDay) -> str:
    return f"GGR:{day.isoformat()}"


def _shard(event_id: str) -> int:
    """The event's shard: the same on every delivery, spread evenly over SHARDS."""
    return int.from_bytes(hashlib.sha256(event_id.encode()).digest()[:4], "big") % SHARDS
