"""The wallet's outbox: events written with their ledger entry, carried to the bus from the table's stream."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import boto3
import pytest
from tools.aws.streams import StreamPoller

from {{ cookiecutter.package_name }}.adapters.dynamodb_wallet import DynamoLedgerStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.adapters.sqs import SqsMessages
from {{ cookiecutter.package_name }}.domain.errors import InsufficientFunds
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.money import Money
from {{ cookiecutter.package_name }}.domain.wallet import Wallet
from {{ cookiecutter.package_name }}.handlers.wallet_outbox import OutboxRelay, outbox_events

PLAYER = "player-1"
SOURCE = "{{ cookiecutter.package_name }}.wallet"


class FlakyBus(InMemoryEventPublisher):
    """A bus that fails its first `outage` publishes (EventBridge unavailable), then works."""

    def __init__(self, outage: int = 0) -> None:
        super().__init__()
        self.outage = outage
        self.calls = 0

    def publish(self, events: Sequence[DomainEvent]) -> None:
        self.calls += 1
        if self.calls <= self.outage:
            raise ConnectionError("EventBridge is unavailable")
        super().publish(events)


class DeadLetters:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def send(self, body: str) -> None:
        self.bodies.append(json.loads(body))


def stream_record(sequence: int, outbox: str | None, event_name: str = "INSERT") -> dict[str, Any]:
    """A DynamoDB stream record of a new ledger entry, as Lambda delivers it."""
    image: dict[str, Any] = {"pk": {"S": f"TX#t-{sequence}"}, "sk": {"S": "ENTRY"}}
    if outbox is not None:
        image["outbox"] = {"S": outbox}
    return {
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"pk": image["pk"], "sk": image["sk"]},
            "NewImage": image,
            "SequenceNumber": str(1000 + sequence),
        },
    }


def played(clock: FixedClock) -> tuple[InMemoryLedgerStore, Wallet]:
    ledger = InMemoryLedgerStore()
    wallet = Wallet(ledger, clock, SOURCE)
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="checkout-1")
    wallet.place_bet(PLAYER, "bet-1", Money.of(300, "EUR"), correlation_id="round-1")
    wallet.settle_win(PLAYER, "win-1", "bet-1", Money.of(500, "EUR"), correlation_id="round-1")
    return ledger, wallet


def records_of(events: Sequence[DomainEvent]) -> list[dict[str, Any]]:
    return [
        stream_record(number, json.dumps([event.to_outbox()])) for number, event in enumerate(events, start=1)
    ]


def test_each_committed_money_operation_puts_its_event_in_the_outbox(clock: FixedClock) -> None:
    ledger, _ = played(clock)

    assert [event.name for event in ledger.outbox] == ["FundsDeposited", "BetPlaced", "BetSettled"]
    assert [event.correlation_id for event in ledger.outbox] == ["checkout-1", "round-1", "round-1"]


def test_a_replayed_or_refused_operation_adds_nothing_to_the_outbox(clock: FixedClock) -> None:
    ledger, wallet = played(clock)

    replay = wallet.place_bet(PLAYER, "bet-1", Money.of(300, "EUR"), correlation_id="round-1")
    with pytest.raises(InsufficientFunds):
        wallet.place_bet(PLAYER, "bet-2", Money.of(10_000, "EUR"), correlation_id="round-2")

    assert replay.replayed
    assert len(ledger.outbox) == 3


def test_the_relay_publishes_every_record_in_order_with_the_same_events(clock: FixedClock) -> None:
    ledger, _ = played(clock)
    bus, dead = FlakyBus(), DeadLetters()

    response = OutboxRelay(bus, dead).relay(records_of(ledger.outbox))

    assert response == {"batchItemFailures": []}
    assert bus.events == ledger.outbox
    assert dead.bodies == []


def test_a_bus_outage_retries_from_the_failed_record_and_loses_nothing(clock: FixedClock) -> None:
    ledger, _ = played(clock)
    records = records_of(ledger.outbox)
    bus = FlakyBus(outage=1)
    relay = OutboxRelay(bus, DeadLetters())

    first = relay.relay(records)
    assert first == {"batchItemFailures": [{"itemIdentifier": "1001"}]}
    assert bus.events == []
    assert relay.relay(records) == {"batchItemFailures": []}  # Lambda retries from the reported record
    assert bus.events == ledger.outbox


@pytest.mark.parametrize(
    "outbox",
    ["not json", "[]", json.dumps([{"name": "BetPlaced"}]), None],
    ids=["not-json", "empty", "missing-fields", "no-outbox-attribute"],
)
def test_a_poison_record_goes_to_the_dead_letters_and_the_batch_goes_on(
    clock: FixedClock, outbox: str | None
) -> None:
    ledger, _ = played(clock)
    records = records_of(ledger.outbox)
    records.insert(1, stream_record(99, outbox))
    bus, dead = FlakyBus(), DeadLetters()

    response = OutboxRelay(bus, dead).relay(records)

    assert response == {"batchItemFailures": []}
    assert bus.events == ledger.outbox
    assert [body["sequence_number"] for body in dead.bodies] == ["1099"]


def test_outbox_events_round_trip_exactly(clock: FixedClock) -> None:
    ledger, _ = played(clock)

    for event in ledger.outbox:
        assert outbox_events(stream_record(1, json.dumps([event.to_outbox()]))) == [event]


@pytest.mark.integration
def test_events_survive_a_bus_outage_through_the_real_stream(
    aws_tables: dict[str, str], dynamodb_client: Any, sqs_client: Any, clock: FixedClock
) -> None:
    """Fault injection on moto: the bus fails a while; every entry's event arrives once, none on replays."""
    ledger = DynamoLedgerStore(aws_tables["WalletTable"])
    wallet = Wallet(ledger, clock, SOURCE)
    dead_letter_url = sqs_client.create_queue(QueueName=f"outbox-dead-letters-{aws_tables['WalletTable']}")[
        "QueueUrl"
    ]
    bus = FlakyBus(outage=3)
    relay = OutboxRelay(bus, SqsMessages(dead_letter_url))
    poller = StreamPoller(
        dynamodb_client,
        boto3.client("dynamodbstreams"),
        aws_tables["WalletTable"],
        lambda e, c: relay.relay(e["Records"]),
    )
    wallet.deposit(PLAYER, "dep-1", Money.of(1_000, "EUR"), correlation_id="checkout-1")
    for number in range(1, 6):
        wallet.place_bet(PLAYER, f"bet-{number}", Money.of(100, "EUR"), correlation_id=f"round-{number}")
    wallet.settle_win(PLAYER, "win-1", "bet-1", Money.of(250, "EUR"), correlation_id="round-1")
    wallet.rollback_bet(PLAYER, "rb-2", "bet-2", correlation_id="round-2")
    # A poison record: an entry whose outbox cannot be read (written past the wallet, as a bug would).
    dynamodb_client.put_item(
        TableName=aws_tables["WalletTable"],
        Item={"pk": {"S": "TX#poison"}, "sk": {"S": "ENTRY"}, "outbox": {"S": "{not json"}},
    )

    for _ in range(10):  # the outage lasts three publishes; the poller keeps retrying, as Lambda does
        poller.poll()
    replay = wallet.place_bet(PLAYER, "bet-1", Money.of(100, "EUR"), correlation_id="round-1")
    poller.poll()

    names = [event.name for event in bus.events]
    assert replay.replayed
    assert names == ["FundsDeposited", *["BetPlaced"] * 5, "BetSettled", "BetRolledBack"]
    assert len({event.event_id for event in bus.events}) == 8
    assert bus.calls > 3  # the outage really happened and was retried through
    dead = sqs_client.receive_message(QueueUrl=dead_letter_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(message["Body"])["keys"]["pk"]["S"] for message in dead] == ["TX#poison"]
