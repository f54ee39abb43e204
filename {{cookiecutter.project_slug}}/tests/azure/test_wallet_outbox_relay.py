"""The wallet's outbox relay on Azurite: Table Storage's pending entries carried to the worker queues.

Table Storage has no change feed: each money operation writes a pending marker with its ledger entry
(one entity group transaction), and the relay (adapters/table_outbox.py, a timer function in Azure)
publishes the pending entries' events and deletes their markers. These tests run it on real Azurite,
with the Event Grid topic's delivery onto the workers' queues as tools/azure/event_grid.py does it, and
the workers' queues hosted as the Functions host does it (tools/azure/queue_host.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")
pytest.importorskip(
    "azure.storage.queue", reason="azure-storage-queue is not installed (requirements-azure.txt)"
)

from tests.azure.azurite import Azurite
from tests.support.fixtures_azure import RequestLog
from tools.azure.event_grid import LocalEventGrid
from tools.azure.queue_host import QueueHost, queue_settings

from {{ cookiecutter.package_name }}.adapters.event_grid import event_from_delivery
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.storage_queues import QueueMessages, queue_client
from {{ cookiecutter.package_name }}.adapters.table_outbox import TableOutboxRelay, pending_count
from {{ cookiecutter.package_name }}.adapters.table_wallet import TableLedgerStore
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

SOURCE = "{{ cookiecutter.package_name }}.wallet"
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
EUR = Money(100, "EUR")
# The event types a worker queue takes in these tests (a subscription's filter).
WALLET_EVENTS = frozenset(["FundsDeposited", "BetPlaced", "BetSettled", "BetRolledBack", "FundsWithdrawn"])


class TickingClock(FixedClock):
    """A clock one millisecond on at every reading: each entry of a player has its own time."""

    def now(self) -> datetime:
        moment = super().now()
        self.advance(timedelta(milliseconds=1))
        return moment


class FlakyTopic:
    """The topic, down while `down` is set (every publish refused), else publishing to `topic`."""

    def __init__(self, topic: Any, *, down: bool = False, fail_at_call: int | None = None) -> None:
        self.topic = topic
        self.down = down
        self.fail_at_call = fail_at_call
        self.calls = 0

    def publish(self, events: Sequence[DomainEvent]) -> None:
        self.calls += 1
        if self.down or self.calls == self.fail_at_call:
            raise ConnectionError("the Event Grid topic is unavailable")
        self.topic.publish(events)


class EffectOnce:
    """A worker that applies each event id once (the workers' idempotency), counting applications."""

    def __init__(self) -> None:
        self.applied: dict[str, int] = {}
        self.deliveries = 0

    def __call__(self, body: str) -> None:
        event = event_from_delivery(body)
        self.deliveries += 1
        self.applied[event.event_id] = 1


def play(wallet: Wallet, player: str, rounds: int) -> None:
    """A deposit, then `rounds` bets each with its win (the events in the ledger's order)."""
    wallet.deposit(player, f"{player}-dep", Money(10_000, "EUR"), correlation_id=f"c-{player}")
    for number in range(rounds):
        wallet.place_bet(player, f"{player}-bet-{number}", EUR, correlation_id=f"c-{player}")
        wallet.settle_win(player, f"{player}-win-{number}", f"{player}-bet-{number}", EUR, correlation_id="c")


def ledger_events(store: TableLedgerStore, player: str) -> list[str]:
    """The ids of the events the player's ledger entries carry, in the ledger's order."""
    return [event.event_id for entry in store.entries(player) for event in _entry_events(store, entry)]


def _entry_events(store: TableLedgerStore, entry: Any) -> list[DomainEvent]:
    from urllib.parse import quote

    key = f"TX:{entry.kind.scope.value}:{quote(entry.transaction_id, safe='')}"
    stored = store.table.get_entity(quote(entry.player_id, safe=""), key)
    return [DomainEvent.from_outbox(item) for item in json.loads(stored.get("outbox", "[]"))]


@pytest.fixture
def dead_letters(azure_storage: Azurite, queue_factory: Callable[[], str]) -> Any:
    return queue_client(queue_factory(), connection_string=azure_storage.connection_string)


def test_the_relay_publishes_each_entry_once_in_order_and_a_rerun_publishes_nothing(
    table_factory: Callable[..., Any], dead_letters: Any
) -> None:
    store = TableLedgerStore(table_factory())
    wallet = Wallet(store, TickingClock(START), SOURCE)
    players = ["player-a", "player/b#1", "player-c"]
    for player in players:
        play(wallet, player, rounds=3)
    topic = InMemoryEventPublisher()
    relay = TableOutboxRelay(store.table, topic, QueueMessages(dead_letters))
    assert pending_count(store.table) == len(players) * 7

    first = relay.relay()
    second = relay.relay()

    assert (first.published, first.poisoned, first.deferred_players) == (len(players) * 7, 0, [])
    assert (second.published, second.events) == (0, 0)
    assert pending_count(store.table) == 0
    for player in players:
        published = [event.event_id for event in topic.events if event.detail["player_id"] == player]
        assert published == ledger_events(store, player)
    assert len({event.event_id for event in topic.events}) == len(topic.events)


def test_a_relayed_entry_costs_its_publish_and_a_share_of_three_table_requests(
    table_factory: Callable[..., Any], dead_letters: Any
) -> None:
    requests: RequestLog = []
    store = TableLedgerStore(table_factory(requests))
    wallet = Wallet(store, TickingClock(START), SOURCE)
    for player in ("player-a", "player-b"):
        play(wallet, player, rounds=6)  # 13 entries each: one query reads all of a player's entries
    topic = FlakyTopic(InMemoryEventPublisher())
    relay = TableOutboxRelay(store.table, topic, QueueMessages(dead_letters))
    requests.clear()

    run = relay.relay()

    # One scan for the markers, then per player one query for its entries and one transaction.
    assert run.published == 26
    assert [method for method, _ in requests] == ["GET"] + ["GET", "POST"] * 2, requests
    assert topic.calls == 26
    print(f"relay: {len(requests)} table requests and {topic.calls} publishes for {run.published} entries")


def test_a_money_operation_writes_its_marker_in_its_own_transaction(
    table_factory: Callable[..., Any],
) -> None:
    requests: RequestLog = []
    store = TableLedgerStore(table_factory(requests))
    wallet = Wallet(store, TickingClock(START), SOURCE)
    wallet.deposit("player-a", "dep-0", Money(1_000, "EUR"), correlation_id="c")
    requests.clear()

    wallet.place_bet("player-a", "bet-0", EUR, correlation_id="c")

    assert [method for method, _ in requests] == ["GET", "POST"], requests  # one query, one transaction
    assert pending_count(store.table) == 2


def test_a_topic_outage_leaves_the_entries_pending_and_the_next_runs_publish_each_once_in_effect(
    azure_storage: Azurite,
    table_factory: Callable[..., Any],
    queue_factory: Callable[[], str],
    dead_letters: Any,
) -> None:
    store = TableLedgerStore(table_factory())
    wallet = Wallet(store, TickingClock(START), SOURCE)
    for player in ("player-a", "player-b"):
        play(wallet, player, rounds=2)
    worker_queue = queue_factory()
    grid = LocalEventGrid(azure_storage.connection_string, {worker_queue: WALLET_EVENTS})
    topic = FlakyTopic(grid, down=True)
    relay = TableOutboxRelay(store.table, topic, QueueMessages(dead_letters))

    for _ in range(3):  # runs while the topic is down: nothing leaves, nothing is lost
        outage = relay.relay()
        assert (outage.published, sorted(outage.deferred_players)) == (0, ["player-a", "player-b"])
    assert pending_count(store.table) == 10

    topic.down = False
    topic.fail_at_call = topic.calls + 3  # a second, short outage in the middle of the next run
    partial = relay.relay()
    assert partial.published == 2 + 5  # player-a's first two, then player-b's five
    assert partial.deferred_players == ["player-a"]
    assert pending_count(store.table) == 3
    recovered = relay.relay()
    assert (recovered.published, recovered.deferred_players) == (3, [])
    assert relay.relay().published == 0
    assert pending_count(store.table) == 0

    worker = EffectOnce()
    host = QueueHost(
        azure_storage.connection_string, worker_queue, worker, replace(queue_settings(), visibility_timeout=0)
    )
    deliveries = host.drain(timeout=30)
    expected = ledger_events(store, "player-a") + ledger_events(store, "player-b")
    assert sorted(worker.applied) == sorted(expected)  # every event reached the worker
    assert worker.deliveries == len(expected)  # and none was published twice
    assert (deliveries.processed, deliveries.failures, deliveries.poisoned) == (10, 0, [])


def test_markers_left_after_a_publish_republish_the_same_ids_applied_once(
    azure_storage: Azurite,
    table_factory: Callable[..., Any],
    queue_factory: Callable[[], str],
    dead_letters: Any,
) -> None:
    store = TableLedgerStore(table_factory())
    play(Wallet(store, TickingClock(START), SOURCE), "player-a", rounds=1)
    worker_queue = queue_factory()
    grid = LocalEventGrid(azure_storage.connection_string, {worker_queue: WALLET_EVENTS})
    relay = TableOutboxRelay(store.table, grid, QueueMessages(dead_letters))
    markers = list(store.table.query_entities("RowKey ge 'OUTBOX:' and RowKey lt 'OUTBOX;'"))

    relay.relay()
    for marker in markers:  # the relay stopped after publishing: its markers are back, as if never deleted
        store.table.create_entity({key: value for key, value in marker.items()})
    relay.relay()

    worker = EffectOnce()
    QueueHost(
        azure_storage.connection_string, worker_queue, worker, replace(queue_settings(), visibility_timeout=0)
    ).drain()
    assert worker.deliveries == 6  # each of the three events delivered twice
    assert sorted(worker.applied) == sorted(ledger_events(store, "player-a"))  # and applied once


def test_a_poison_entry_goes_to_the_dead_letter_queue_and_the_player_s_next_entries_go_on(
    table_factory: Callable[..., Any], dead_letters: Any
) -> None:
    store = TableLedgerStore(table_factory())
    play(Wallet(store, TickingClock(START), SOURCE), "player-a", rounds=1)
    store.table.update_entity(
        {"PartitionKey": "player-a", "RowKey": "TX:payment:player-a-dep", "outbox": "{not json"}
    )
    topic = InMemoryEventPublisher()

    run = TableOutboxRelay(store.table, topic, QueueMessages(dead_letters)).relay()

    assert (run.published, run.poisoned) == (2, 1)
    assert [event.name for event in topic.events] == ["BetPlaced", "BetSettled"]
    poisoned = [json.loads(message.content) for message in dead_letters.receive_messages()]
    assert [(body["entry"], body["outbox"]) for body in poisoned] == [
        ("TX:payment:player-a-dep", "{not json")
    ]
    assert pending_count(store.table) == 0


def test_a_dead_letter_queue_that_refuses_keeps_the_poison_entry_and_what_follows_pending(
    table_factory: Callable[..., Any],
) -> None:
    class RefusingQueue:
        def send(self, body: str) -> None:
            raise ConnectionError("the dead-letter queue is unavailable")

    store = TableLedgerStore(table_factory())
    play(Wallet(store, TickingClock(START), SOURCE), "player-a", rounds=1)
    store.table.update_entity(
        {"PartitionKey": "player-a", "RowKey": "TX:payment:player-a-dep", "outbox": "[]"}
    )
    topic = InMemoryEventPublisher()

    run = TableOutboxRelay(store.table, topic, RefusingQueue()).relay()

    assert (run.published, run.poisoned, topic.events) == (0, 0, [])
    assert pending_count(store.table) == 3


def test_a_replayed_money_request_writes_no_entry_and_publishes_nothing(
    table_factory: Callable[..., Any], dead_letters: Any
) -> None:
    store = TableLedgerStore(table_factory())
    wallet = Wallet(store, TickingClock(START), SOURCE)
    wallet.deposit("player-a", "dep-0", Money(1_000, "EUR"), correlation_id="c")
    topic = InMemoryEventPublisher()
    relay = TableOutboxRelay(store.table, topic, QueueMessages(dead_letters))
    assert relay.relay().published == 1

    wallet.deposit("player-a", "dep-0", Money(1_000, "EUR"), correlation_id="c")

    assert pending_count(store.table) == 0
    assert relay.relay().published == 0
    assert len(topic.events) == 1


def test_the_relay_on_azure_names_every_app_setting_it_lacks() -> None:
    from {{ cookiecutter.package_name }}.adapters.table_outbox import RELAY_SETTINGS, relay_on_azure
    from {{ cookiecutter.package_name }}.settings import SettingsError

    with pytest.raises(SettingsError) as refused:
        relay_on_azure({"WALLET_TABLE_NAME": "Wallet"})

    for name in RELAY_SETTINGS[1:]:
        assert name in str(refused.value)
    assert "WALLET_TABLE_NAME" not in str(refused.value)


def test_the_relay_on_azure_is_built_from_the_app_settings() -> None:
    from {{ cookiecutter.package_name }}.adapters.table_outbox import relay_on_azure

    relay = relay_on_azure(
        {
            "WALLET_TABLE_NAME": "Wallet",
            "OUTBOX_POISON_QUEUE": "wallet-outbox-poison",
            "EVENT_TOPIC_ENDPOINT": "https://casino-events.westeurope-1.eventgrid.azure.net/api/events",
            "CasinoStorage__tableServiceUri": "https://casinodata.table.core.windows.net",
            "CasinoStorage__queueServiceUri": "https://casinodata.queue.core.windows.net",
        }
    )

    assert relay.table.table_name == "Wallet"
    assert relay.bus.endpoint.startswith("https://casino-events.")  # type: ignore[attr-defined]
    assert relay.dead_letters.queue.queue_name == "wallet-outbox-poison"  # type: ignore[attr-defined]
