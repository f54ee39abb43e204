"""The wallet's outbox relay on the gcloud Firestore and Pub/Sub emulators: no money event is lost.

Money moves through the Firestore wallet; the relay (adapters/firestore_outbox.py) is then handed each
new entry as the Firestore trigger names it, or sweeps the pending ones as the scheduler asks, and
publishes through the real Pub/Sub publisher. The subscription is made with message ordering, as a
worker's is, and every test reads what really arrived on it.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from google.api_core.exceptions import DeadlineExceeded
from google.cloud import firestore, pubsub_v1
from tests.gcp.firestore_emulator import PROJECT
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters import firestore_outbox
from {{ cookiecutter.package_name }}.adapters.firestore_outbox import (
    CREATED,
    DEAD_LETTERED_AT,
    RELAYED_AT,
    SWEEP,
    FirestoreOutboxRelay,
    OutboxNotRelayed,
    Relayed,
    entry_path,
    on_cloud_event,
)
from {{ cookiecutter.package_name }}.adapters.firestore_wallet import (
    OUTBOX_PENDING,
    OUTBOX_TRACE,
    FirestoreLedgerStore,
)
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.pubsub import (
    PubSubMessages,
    PubSubPublisher,
)
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.gcp_trace import set_trace

PLAYER = "player-1"
SOURCE = "{{ cookiecutter.package_name }}.wallet"
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
# The sweep's clock, two minutes on: every entry just written is older than the sweep's minute.
LATER = timedelta(minutes=2)
_runs = itertools.count()


class Bus:
    """One test's topics on the emulator: the wallet's (ordered subscription) and the dead letters."""

    def __init__(self) -> None:
        run = f"relay-{next(_runs)}-{time.monotonic_ns()}"
        self.publisher = pubsub_v1.PublisherClient()
        self.subscriber = pubsub_v1.SubscriberClient()
        self.topic = self.publisher.topic_path(PROJECT, f"{run}-wallet-events")
        self.dead_topic = self.publisher.topic_path(PROJECT, f"{run}-outbox-dead-letters")
        self.events = self.subscriber.subscription_path(PROJECT, f"{run}-wallet")
        self.dead = self.subscriber.subscription_path(PROJECT, f"{run}-dead")
        made = ((self.topic, self.events, True), (self.dead_topic, self.dead, False))
        for topic, subscription, ordered in made:
            self.publisher.create_topic(request={"name": topic})
            self.subscriber.create_subscription(
                request={"name": subscription, "topic": topic, "enable_message_ordering": ordered}
            )
        self.wallet_publisher = PubSubPublisher({"wallet": self.topic})
        self.dead_letters = PubSubMessages(self.dead_topic)

    def received(self, subscription: str, wanted: int, settle: float = 1.5) -> list[Any]:
        """Every message that arrives until `wanted` came and then `settle` seconds passed with no more."""
        found: list[Any] = []
        deadline = time.monotonic() + 30
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            try:
                request = {"subscription": subscription, "max_messages": 100}
                messages = list(self.subscriber.pull(request=request, timeout=2).received_messages)
            except DeadlineExceeded:
                messages = []
            if messages:
                found.extend(messages)
                quiet_since = time.monotonic()
                self.subscriber.acknowledge(
                    request={"subscription": subscription, "ack_ids": [m.ack_id for m in messages]}
                )
            elif len(found) >= wanted and time.monotonic() - quiet_since >= settle:
                break
        return found


class FlakyBus:
    """The real publisher behind a fault: after `working` publishes, the next `outage` raise (Pub/Sub
    unavailable), then it works again.

    `lost_acks`: of the failing ones, how many publish first and raise after (Pub/Sub took the events,
    the answer was lost), so the same events go out again when the entry is retried.
    """

    def __init__(self, bus: PubSubPublisher, outage: int, lost_acks: int = 0, working: int = 0) -> None:
        self.bus, self.outage, self.lost_acks, self.working, self.calls = bus, outage, lost_acks, working, 0

    def publish(self, events: Sequence[DomainEvent]) -> None:
        self.calls += 1
        failing = self.calls - self.working
        if 0 < failing <= self.lost_acks:
            self.bus.publish(events)
        if 0 < failing <= self.outage:
            raise ConnectionError("Pub/Sub is unavailable")
        self.bus.publish(events)


class TickingClock(FixedClock):
    """A second on at every reading: the entries of a play sort in the order they were made."""

    def now(self) -> datetime:
        self.advance(timedelta(seconds=1))
        return super().now()


@pytest.fixture
def bus(pubsub_host: str) -> Bus:
    return Bus()


@pytest.fixture
def wallet(firestore_client: Any) -> Wallet:
    return Wallet(FirestoreLedgerStore(DATABASE, firestore_client), TickingClock(START), SOURCE)


def relay_of(client: Any, bus: Bus, publisher: Any = None) -> FirestoreOutboxRelay:
    sink = publisher if publisher is not None else bus.wallet_publisher
    return FirestoreOutboxRelay(client, sink, bus.dead_letters, clock=lambda: datetime.now(UTC) + LATER)


def play(wallet: Wallet, player: str = PLAYER) -> None:
    wallet.deposit(player, "dep-1", Money.of(1_000, "EUR"), correlation_id="checkout-1")
    wallet.place_bet(player, "bet-1", Money.of(300, "EUR"), correlation_id="round-1")
    wallet.settle_win(player, "win-1", "bet-1", Money.of(500, "EUR"), correlation_id="round-1")


def entries(client: Any, player: str = PLAYER) -> list[tuple[str, dict[str, Any]]]:
    """The player's ledger entries in their order, as (path, document)."""
    ledger = client.collection(f"players/{player}/ledger").order_by("entry_sort").stream()
    return [(found.reference.path, found.to_dict()) for found in ledger]


def created(path: str) -> dict[str, str]:
    """The attributes of the Firestore trigger's CloudEvent for a new document at `path`."""
    return {"type": CREATED, "subject": f"documents/{path}"}


def outbox_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(json.loads(document["outbox"]))


def test_each_entry_reaches_the_topic_once_in_order_keyed_by_the_player(
    firestore_client: Any, bus: Bus, wallet: Wallet
) -> None:
    play(wallet)
    relay = relay_of(firestore_client, bus)
    written = entries(firestore_client)
    expected = [event for _, document in written for event in outbox_of(document)]

    for path, _ in written:
        assert on_cloud_event(relay, created(path)) is Relayed.PUBLISHED
    for path, _ in written:  # the trigger delivers every event again: nothing new goes out
        assert on_cloud_event(relay, created(path)) is Relayed.ALREADY
    assert relay.sweep().relayed == {}

    arrived = bus.received(bus.events, len(expected))
    assert [m.message.attributes["event_id"] for m in arrived] == [e["event_id"] for e in expected]
    assert [m.message.attributes["type"] for m in arrived] == ["FundsDeposited", "BetPlaced", "BetSettled"]
    assert {m.message.ordering_key for m in arrived} == {PLAYER}
    correlation_ids = [json.loads(m.message.data)["correlation_id"] for m in arrived]
    assert correlation_ids == ["checkout-1", "round-1", "round-1"]
    for _, document in entries(firestore_client):
        assert RELAYED_AT in document
        assert OUTBOX_PENDING not in document


def test_the_wallet_marks_each_new_entry_pending_in_its_own_transaction(
    firestore_client: Any, wallet: Wallet
) -> None:
    play(wallet)

    written = entries(firestore_client)
    assert len(written) == 3
    for _, document in written:
        assert isinstance(document[OUTBOX_PENDING], datetime)  # the commit's server timestamp
        assert RELAYED_AT not in document


def test_a_publisher_outage_leaves_entries_pending_until_the_sweep_publishes_each_once_in_effect(
    firestore_client: Any, bus: Bus, wallet: Wallet
) -> None:
    """Pub/Sub fails 4 times, twice after taking the events: retried entries go out again with the same
    event ids, so a worker applying each id once applies every event exactly once."""
    play(wallet)
    flaky = FlakyBus(bus.wallet_publisher, outage=4, lost_acks=2)
    relay = relay_of(firestore_client, bus, flaky)
    written = entries(firestore_client)
    expected = [event["event_id"] for _, document in written for event in outbox_of(document)]

    for path, _ in written:  # each trigger fails: the function raises, so Eventarc would deliver again
        with pytest.raises(OutboxNotRelayed):
            on_cloud_event(relay, created(path))
    assert all(OUTBOX_PENDING in document for _, document in entries(firestore_client))
    with pytest.raises(OutboxNotRelayed):  # the first sweep meets the last failure and stops there
        on_cloud_event(relay, {"type": SWEEP})

    report = relay.sweep()  # the fault cleared: the next run publishes every pending entry, oldest first

    assert report.relayed == {Relayed.PUBLISHED: 3}
    assert flaky.calls == 4 + 3
    for path, _ in written:  # a late redelivery of each trigger publishes nothing
        assert on_cloud_event(relay, created(path)) is Relayed.ALREADY
    arrived = [m.message.attributes["event_id"] for m in bus.received(bus.events, len(expected) + 2)]
    assert len(arrived) == len(expected) + 2  # the two lost answers: published twice, same ids
    assert sorted(set(arrived)) == sorted(expected)
    applied: list[str] = []
    for event_id in arrived:  # a worker applies each event id once
        if event_id not in applied:
            applied.append(event_id)
    assert applied == expected
    assert all(OUTBOX_PENDING not in document for _, document in entries(firestore_client))


def test_a_sweep_that_fails_midway_keeps_what_it_published_and_the_next_run_finishes(
    firestore_client: Any, bus: Bus, wallet: Wallet
) -> None:
    play(wallet)
    flaky = FlakyBus(bus.wallet_publisher, outage=1, working=2)
    relay = relay_of(firestore_client, bus, flaky)

    with pytest.raises(OutboxNotRelayed):
        relay.sweep()
    marked = [RELAYED_AT in document for _, document in entries(firestore_client)]
    assert marked == [True, True, False]  # the run's marks are committed on the way out
    assert relay.sweep().relayed == {Relayed.PUBLISHED: 1}

    arrived = bus.received(bus.events, 3)
    assert [m.message.attributes["type"] for m in arrived] == ["FundsDeposited", "BetPlaced", "BetSettled"]


def test_a_trigger_redelivered_after_the_outage_publishes_the_entry(
    firestore_client: Any, bus: Bus, wallet: Wallet
) -> None:
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="checkout-1")
    flaky = FlakyBus(bus.wallet_publisher, outage=2)
    relay = relay_of(firestore_client, bus, flaky)
    [(path, document)] = entries(firestore_client)

    for _ in range(2):
        with pytest.raises(OutboxNotRelayed):
            on_cloud_event(relay, created(path))
    assert on_cloud_event(relay, created(path)) is Relayed.PUBLISHED

    arrived = bus.received(bus.events, 1)
    assert [m.message.attributes["event_id"] for m in arrived] == [e["event_id"] for e in outbox_of(document)]


def test_the_events_of_an_entry_carry_the_trace_of_the_request_that_wrote_it(
    firestore_client: Any, bus: Bus, wallet: Wallet
) -> None:
    """The entry keeps the request's trace context; the relay, by trigger or by sweep, sends it on as each
    message's `traceparent`, which the push worker logs under (tests/gcp/test_trace.py)."""
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    set_trace(traceparent)
    try:
        wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="checkout-1")
    finally:
        set_trace(None)
    wallet.place_bet(PLAYER, "bet-1", Money.of(300, "EUR"), correlation_id="round-1")  # no trace
    relay = relay_of(firestore_client, bus)
    [(deposit, traced), (_, untraced)] = entries(firestore_client)

    assert traced[OUTBOX_TRACE] == traceparent
    assert OUTBOX_TRACE not in untraced
    assert on_cloud_event(relay, created(deposit)) is Relayed.PUBLISHED
    assert relay.sweep().relayed == {Relayed.PUBLISHED: 1}
    arrived = {m.message.attributes["type"]: m.message.attributes for m in bus.received(bus.events, 2)}
    assert arrived["FundsDeposited"]["traceparent"] == traceparent
    assert "traceparent" not in arrived["BetPlaced"]


def test_the_sweep_leaves_fresh_entries_to_their_trigger_and_is_bounded_per_run(
    firestore_client: Any, bus: Bus, wallet: Wallet
) -> None:
    play(wallet)
    fresh = FirestoreOutboxRelay(firestore_client, bus.wallet_publisher, bus.dead_letters)  # now, not later
    assert fresh.sweep().relayed == {}  # committed less than a minute ago: their triggers are on the way

    relay = relay_of(firestore_client, bus)
    first = relay.sweep(limit=2)
    second = relay.sweep(limit=2)

    assert (first.relayed, first.full) == ({Relayed.PUBLISHED: 2}, True)
    assert (second.relayed, second.full) == ({Relayed.PUBLISHED: 1}, False)
    assert [m.message.attributes["type"] for m in bus.received(bus.events, 3)] == [
        "FundsDeposited",
        "BetPlaced",
        "BetSettled",
    ]


def test_a_replayed_money_request_writes_no_entry_and_publishes_nothing(
    firestore_client: Any, bus: Bus, wallet: Wallet
) -> None:
    play(wallet)
    relay = relay_of(firestore_client, bus)
    assert relay.sweep().relayed == {Relayed.PUBLISHED: 3}
    assert len(bus.received(bus.events, 3)) == 3

    replay = wallet.place_bet(PLAYER, "bet-1", Money.of(300, "EUR"), correlation_id="round-1")

    assert replay.replayed
    assert len(entries(firestore_client)) == 3
    assert relay.sweep().relayed == {}
    assert bus.received(bus.events, 0) == []


def test_a_poison_entry_goes_to_the_dead_letters_with_its_path_and_the_next_entry_is_relayed(
    firestore_client: Any, bus: Bus, wallet: Wallet
) -> None:
    poison = f"players/{PLAYER}/ledger/payment#poison-1"
    firestore_client.document(poison).set(
        {"transaction_id": "poison-1", "outbox": "{not json", OUTBOX_PENDING: firestore.SERVER_TIMESTAMP}
    )
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="checkout-1")
    relay = relay_of(firestore_client, bus)
    good = next(path for path, _ in entries(firestore_client) if path != poison)

    assert on_cloud_event(relay, created(poison)) is Relayed.DEAD_LETTERED
    assert on_cloud_event(relay, created(good)) is Relayed.PUBLISHED
    assert on_cloud_event(relay, created(poison)) is Relayed.ALREADY  # set aside once, not on every retry
    assert relay.sweep().relayed == {}

    [dead] = bus.received(bus.dead, 1)
    body = json.loads(dead.message.data)
    assert body["document"] == poison
    assert body["outbox"] == "{not json"
    assert "no readable outbox" in body["reason"]
    assert [m.message.attributes["type"] for m in bus.received(bus.events, 1)] == ["FundsDeposited"]
    assert DEAD_LETTERED_AT in firestore_client.document(poison).get().to_dict()


def test_the_sweep_sets_a_poison_entry_aside_and_relays_the_rest(
    firestore_client: Any, bus: Bus, wallet: Wallet
) -> None:
    firestore_client.document(f"players/{PLAYER}/ledger/payment#poison-2").set(
        {"outbox": json.dumps([{"name": "BetPlaced"}]), OUTBOX_PENDING: firestore.SERVER_TIMESTAMP}
    )
    play(wallet)

    report = relay_of(firestore_client, bus).sweep()

    assert report.relayed == {Relayed.DEAD_LETTERED: 1, Relayed.PUBLISHED: 3}
    assert "malformed" in json.loads(bus.received(bus.dead, 1)[0].message.data)["reason"]
    assert len(bus.received(bus.events, 3)) == 3


def test_the_entry_is_found_from_the_subject_plain_or_percent_encoded() -> None:
    assert entry_path("documents/players/p-1/ledger/game#bet-1") == "players/p-1/ledger/game#bet-1"
    assert entry_path("documents/players/p-1/ledger/game%23bet-1") == "players/p-1/ledger/game#bet-1"


@pytest.mark.parametrize(
    "subject",
    [
        "documents/players/p-1",
        "documents/sessions/s-1/ledger/x",
        "players/p-1/ledger/x",
        "documents/players/p-1/ledger/x%2Fy",
        "documents/players//ledger/x",
        None,
    ],
)
def test_an_event_that_names_no_ledger_entry_is_refused(subject: object) -> None:
    with pytest.raises(ValueError, match="not a ledger entry"):
        entry_path(subject)


def test_the_function_relays_trigger_and_scheduler_cloud_events_through_functions_framework(
    firestore_client: Any, bus: Bus, wallet: Wallet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Served by functions-framework as on Cloud Run: Eventarc's and Cloud Scheduler's binary CloudEvents."""
    import functions_framework

    monkeypatch.setenv("FIRESTORE_DATABASE", DATABASE)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    monkeypatch.setenv("EVENT_TOPICS", json.dumps({"wallet": bus.topic}))
    monkeypatch.setenv("OUTBOX_DEAD_LETTER_TOPIC", bus.dead_topic)
    monkeypatch.setattr(firestore_outbox, "_relay", None)
    source = tmp_path / "main.py"
    source.write_text(f"from {firestore_outbox.__name__} import wallet_outbox\n", encoding="utf-8")
    client = functions_framework.create_app(
        target="wallet_outbox", source=str(source), signature_type="cloudevent"
    ).test_client()
    play(wallet)
    [first, *rest] = [path for path, _ in entries(firestore_client)]

    def post(kind: str, subject: str | None = None) -> int:
        headers = {"ce-id": f"e-{time.monotonic_ns()}", "ce-source": "tests", "ce-specversion": "1.0"}
        headers["ce-type"] = kind
        if subject is not None:
            headers["ce-subject"] = subject
        return int(client.post("/", headers=headers, data=b"{}", content_type="application/json").status_code)

    assert post(CREATED, f"documents/{first}") == 200
    assert post("some.other.event") == 500  # raised: not acknowledged
    assert firestore_outbox._relay is not None
    firestore_outbox._relay.clock = lambda: datetime.now(UTC) + LATER  # the scheduler's sweep, a minute on
    assert post(SWEEP) == 200

    assert [m.message.attributes["type"] for m in bus.received(bus.events, 3)] == [
        "FundsDeposited",
        "BetPlaced",
        "BetSettled",
    ]
    assert len(rest) == 2
    assert all(RELAYED_AT in document for _, document in entries(firestore_client))


class RequestCount:
    """Firestore's and Pub/Sub's calls to their servers from the relay's clients."""

    FIRESTORE = ("batch_get_documents", "get_document", "commit", "run_query", "begin_transaction")

    def __init__(self, client: Any, publisher: PubSubPublisher) -> None:
        self.firestore = 0
        self.publishes = 0
        api = client._firestore_api  # the generated API client every request of this client goes through
        for name in self.FIRESTORE:
            setattr(api, name, self._counting(getattr(api, name), "firestore"))
        pubsub = publisher.client
        pubsub._gapic_publish = self._counting(pubsub._gapic_publish, "publishes")

    def _counting(self, original: Callable[..., Any], counter: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            setattr(self, counter, getattr(self, counter) + 1)
            return original(*args, **kwargs)

        return call


def players_played(wallet: Wallet, players: int) -> Iterator[str]:
    for number in range(players):
        player = f"player-{number}"
        wallet.deposit(player, "dep-1", Money.of(1_000, "EUR"), correlation_id=f"c-{number}")
        yield player


def test_relay_throughput_and_requests_per_entry(
    firestore_client: Any, bus: Bus, wallet: Wallet, capsys: pytest.CaptureFixture[str]
) -> None:
    """Measured: entries relayed per second and requests per entry, by trigger and by sweep."""
    players = list(players_played(wallet, 100))
    paths = [path for player in players[:50] for path, _ in entries(firestore_client, player)]
    relay = relay_of(firestore_client, bus)
    count = RequestCount(firestore_client, bus.wallet_publisher)

    started = time.perf_counter()
    for path in paths:
        assert relay.relay_entry(path) is Relayed.PUBLISHED
    by_trigger = time.perf_counter() - started
    trigger_requests = (count.firestore, count.publishes)
    started = time.perf_counter()
    report = relay.sweep()
    by_sweep = time.perf_counter() - started
    sweep_requests = (count.firestore - trigger_requests[0], count.publishes - trigger_requests[1])

    assert report.relayed == {Relayed.PUBLISHED: 50}
    assert len(bus.received(bus.events, 100)) == 100
    # A trigger's entry: its read and its mark (2 Firestore requests) and one publish of its one event.
    assert trigger_requests == (2 * 50, 50)
    # A sweep: one query and one commit of its marks for the run, and one publish per entry.
    assert sweep_requests == (1 + 1, 50)
    with capsys.disabled():
        print(
            f"\noutbox relay on the emulators: by trigger {50 / by_trigger:.0f} entries/s "
            f"({trigger_requests[0] / 50:.0f} Firestore + {trigger_requests[1] / 50:.0f} Pub/Sub requests "
            f"per entry); by sweep {50 / by_sweep:.0f} entries/s ({sweep_requests[0] / 50:.2f} Firestore + "
            f"{sweep_requests[1] / 50:.0f} Pub/Sub requests per entry)"
        )
