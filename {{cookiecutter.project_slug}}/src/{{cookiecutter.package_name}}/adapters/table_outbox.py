"""The wallet's outbox relay on Azure Table Storage: pending entries' events carried to the topic.

Table Storage has no change feed, so the relay runs on a schedule (a timer-triggered function; its
NCRONTAB schedule is the app setting SCHEDULE_WALLET_OUTBOX, set by infra/modules/wallet) and finds
what is left to publish by the pending markers the wallet writes in each money operation's own entity
group transaction (adapters/table_wallet.py: RowKey OUTBOX:<created_at>:<entry's RowKey>). A run:
1. one query of the whole table for the markers' RowKey range (a table scan: Table Storage indexes only
   PartitionKey and RowKey, and the markers live in their players' partitions, since an entity group
   transaction cannot leave the player's partition; the answer carries the pending markers only);
2. per player with pending markers, one query for their ledger entries (up to 14 per query), then each
   entry's events published in the markers' order (the ledger's: time, then id);
3. the markers of the published entries deleted at their ETags, in one entity group transaction per
   player (up to 100 per transaction), so a later run publishes nothing new.
A publish that fails stops that player's entries there: the marker stays, the next run publishes the
entry again with the same event ids (the workers apply each id once), and nothing of that player is
published ahead of it. An entry whose outbox cannot be read (poison) goes to the dead-letter queue
(`wallet-outbox-poison`) with its keys, and its marker is deleted: it never blocks the player's next.
The Functions host runs a timer function on one instance at a time (a blob lease), so runs never overlap.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from azure.core import MatchConditions
from azure.data.tables import TableTransactionError

from ..outbox import MalformedOutbox, OutboxPublisher, read_outbox
from .azure_tables import rows_of
from .table_wallet import OUTBOX_PENDING, PAST_OUTBOX_PENDING

if TYPE_CHECKING:
    from azure.data.tables import TableClient, TableEntity

    from ..outbox import PoisonSink
    from ..ports import EventPublisher

# Operations in one entity group transaction (Table Storage's limit).
TRANSACTION_LIMIT = 100


@dataclass
class RelayRun:
    """What one run did: entries published, entries dead-lettered, players left for the next run."""

    published: int = 0
    events: int = 0
    poisoned: int = 0
    deferred_players: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TableOutboxRelay:
    """Publishes the events of the wallet table's pending entries, in order per player."""

    table: TableClient
    bus: EventPublisher
    dead_letters: PoisonSink

    def relay(self) -> RelayRun:
        """One run: every pending entry published (or dead-lettered) and marked done, player by player."""
        run = RelayRun()
        publisher = OutboxPublisher(self.bus, self.dead_letters)
        for partition, markers in _pending_by_player(self.table).items():
            self._relay_player(publisher, partition, markers, run)
        return run

    def _relay_player(
        self, publisher: OutboxPublisher, partition: str, markers: list[TableEntity], run: RelayRun
    ) -> None:
        entries = rows_of(self.table, partition, (marker["entry"] for marker in markers))
        done: list[TableEntity] = []
        for marker in markers:
            entry = entries.get(marker["entry"])
            where = {"partition": partition, "entry": marker["entry"]}
            try:
                events = read_outbox(None if entry is None else entry.get("outbox"))
            except MalformedOutbox as error:
                kept = {"outbox": None if entry is None else entry.get("outbox")}
                if not publisher.dead_letter(str(error), where, kept):
                    break  # tried again next run
                run.poisoned += 1
                done.append(marker)
                continue
            if not publisher.publish(events, where):
                # The topic down or refusing: this player waits for the next run, in order.
                run.deferred_players.append(partition)
                break
            run.published += 1
            run.events += len(events)
            done.append(marker)
        self._mark_done(done)

    def _mark_done(self, done: list[TableEntity]) -> None:
        """Delete the markers of the entries this run carried: one entity group transaction per 100."""
        for start in range(0, len(done), TRANSACTION_LIMIT):
            deletes = [
                (
                    "delete",
                    marker,
                    {"etag": marker.metadata["etag"], "match_condition": MatchConditions.IfNotModified},
                )
                for marker in done[start : start + TRANSACTION_LIMIT]
            ]
            try:
                self.table.submit_transaction(deletes)
            except TableTransactionError:
                # Published but not marked: the next run publishes them again, with the same event ids.
                logging.getLogger(__name__).exception("outbox markers not deleted; published again next run")
                return


def _pending_by_player(table: TableClient) -> dict[str, list[TableEntity]]:
    """Every pending marker, grouped by player in the order Table Storage returns them (RowKey order)."""
    found = table.query_entities(
        "RowKey ge @first and RowKey lt @past",
        parameters={"first": OUTBOX_PENDING, "past": PAST_OUTBOX_PENDING},
        select=["PartitionKey", "RowKey", "entry"],
    )
    pending: dict[str, list[TableEntity]] = {}
    for marker in found:
        pending.setdefault(marker["PartitionKey"], []).append(marker)
    return pending


def pending_count(table: TableClient) -> int:
    """How many entries wait for the relay (the local run's and the tests' measure of "drained")."""
    return sum(len(markers) for markers in _pending_by_player(table).values())


# The wallet app's settings the relay reads (infra/modules/wallet and blocks/function_app set them).
RELAY_SETTINGS = (
    "WALLET_TABLE_NAME",
    "OUTBOX_POISON_QUEUE",
    "EVENT_TOPIC_ENDPOINT",
    "CasinoStorage__tableServiceUri",
    "CasinoStorage__queueServiceUri",
)


def relay_on_azure(environ: Mapping[str, str], bus: EventPublisher | None = None) -> TableOutboxRelay:
    """The relay as the wallet's function app builds it: its table, the topic, its poison queue.

    Every client connects with the app's managed identity (DefaultAzureCredential finds it by
    AZURE_CLIENT_ID); locally, the `CasinoStorage` connection string (Azurite's) stands for the two
    endpoints and `bus` (the local Event Grid) for the topic. SettingsError names each setting missing.
    """
    from ..settings import SettingsError
    from .azure_environment import STORAGE_CONNECTION, queue, table, topic_publisher

    wanted = [
        name
        for name in RELAY_SETTINGS
        if not (environ.get(STORAGE_CONNECTION) and name.startswith(f"{STORAGE_CONNECTION}__"))
        and not (bus is not None and name == "EVENT_TOPIC_ENDPOINT")
    ]
    missing = [name for name in wanted if not environ.get(name)]
    if missing:
        raise SettingsError(
            f"the outbox relay needs the app settings {', '.join(missing)} (infra/modules/wallet)"
        )
    from .storage_queues import QueueMessages

    return TableOutboxRelay(
        table(environ, environ["WALLET_TABLE_NAME"]),
        bus if bus is not None else topic_publisher(environ),
        QueueMessages(queue(environ, environ["OUTBOX_POISON_QUEUE"])),
    )
