"""Table Storage adapter of the ledger's scheduled jobs: scans of the Wallet table.

The table is the wallet's (adapters/table_wallet.py): one partition per player, the balance at RowKey
BALANCE, each ledger entry at TX:<scope>:<transaction id>. Scans, not queries, and why: reconciliation
looks at every player and the export at every entry of a day, and Table Storage indexes PartitionKey
and RowKey only. Each filter names the RowKeys it wants, so the service reads the partitions in turn
and answers with the balances or the day's entries only, 1,000 a page, fetched as the job asks for
them (on Cosmos DB for Table every property is indexed, and the same filter is an index lookup).
Entities of other kinds (rounds, protection, limits' counters, outbox markers) never match.
Timestamps are fixed-width UTC ISO 8601 strings, so they compare as strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from urllib.parse import unquote

from azure.data.tables import TableClient

from ..domain.wallet import LedgerEntry
from .document_records import timestamp
from .table_wallet import BALANCE, _entry_from

ENTRY = "TX:"
PAST_ENTRY = "TX;"


class TableWalletScanner:
    """Players with a balance and ledger entries of the Wallet table."""

    def __init__(self, table: TableClient) -> None:
        self.table = table

    def player_ids(self) -> Iterator[str]:
        found = self.table.query_entities(
            "RowKey eq @balance", parameters={"balance": BALANCE}, select=["PartitionKey"]
        )
        for entity in found:
            yield unquote(entity["PartitionKey"])

    def entries_created_between(self, start: datetime, end: datetime) -> Iterator[LedgerEntry]:
        found = self.table.query_entities(
            "RowKey ge @first and RowKey lt @last and created_at ge @start and created_at lt @end",
            parameters={
                "first": ENTRY,
                "last": PAST_ENTRY,
                "start": timestamp(start),
                "end": timestamp(end),
            },
        )
        for entity in found:
            yield _entry_from(entity)
