"""DynamoDB adapter of the reporting module: daily GGR totals, each wallet event counted once.

Item layout (ReportingTable, keys `pk`/`sk`):
- daily totals   pk=GGR#<YYYY-MM-DD>  sk=CURRENCY#<currency>  bets, stakes, wins, rolled_back_stakes
                                                             (cash play) and bonus_bets, bonus_stakes,
                                                             bonus_wins, bonus_rolled_back_stakes
- counted event  pk=EVENT#<event_id>  sk=EVENT                 expires_at (TTL)

Counting an event is ONE TransactWriteItems: the event's marker (only if absent) and an ADD to its
day's totals. A redelivered event fails the marker's condition and adds nothing.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from ..domain.reporting import TOTALS_FIELDS, DailyTotals, GgrDay, Play, PlayTotals
from .dynamodb import TransactionCancelled, _DynamoTable, _key, _n

# Markers outlive every copy of the event: the queue keeps it 4 days, its dead-letter queue 14 days,
# so a message redriven from the dead-letter queue is still recognised as counted.
MARKER_TTL_SECONDS = 15 * 24 * 3600
# Every total of a day and currency; an item written before the bonus ones existed reads them as 0.
TOTALS = TOTALS_FIELDS


class DynamoGgrTotalsStore(_DynamoTable):
    """Daily totals per currency and once-per-event markers in the reporting table."""

    def add(self, play: Play) -> bool:
        # TTL runs on DynamoDB's wall clock, so the marker's expiry uses the real time too.
        marker = {
            "Put": {
                "TableName": self.table_name,
                "Item": {
                    **_key(f"EVENT#{play.event_id}", "EVENT"),
                    "expires_at": _n(int(time.time()) + MARKER_TTL_SECONDS),
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        amounts = {name: getattr(play.totals, name) for name in TOTALS}
        add_totals = {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(_day_pk(play.day), f"CURRENCY#{play.currency}"),
                "UpdateExpression": "ADD " + ", ".join(f"{name} :{name}" for name in TOTALS),
                "ExpressionAttributeValues": {f":{name}": _n(value) for name, value in amounts.items()},
            }
        }
        try:
            self._transact([marker, add_totals])
        except TransactionCancelled as cancelled:
            if cancelled.failed(0):
                return False
            raise
        return True

    def day_totals(self, day: GgrDay) -> list[DailyTotals]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :day",
            ExpressionAttributeValues={":day": {"S": _day_pk(day)}},
            ConsistentRead=True,
        )
        lines = [_totals_from_item(day, item) for page in pages for item in page.get("Items", [])]
        return sorted(lines, key=lambda line: line.currency)


def _day_pk(day: date) -> str:
    return f"GGR#{day.isoformat()}"


def _totals_from_item(day: GgrDay, item: dict[str, Any]) -> DailyTotals:
    return DailyTotals(
        day=day,
        currency=item["sk"]["S"].removeprefix("CURRENCY#"),
        totals=PlayTotals(**{name: int(item[name]["N"]) if name in item else 0 for name in TOTALS}),
    )
