"""EventBridgePublisher against moto: events reach a rule's SQS target with the contract's envelope."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from tests.support.region import REGION
from tests.support.tables import create_event_bus

from {{ cookiecutter.package_name }}.adapters.eventbridge import EventBridgePublisher, PublishFailed
from {{ cookiecutter.package_name }}.domain.events import DomainEvent

SOURCE = "{{ cookiecutter.package_name }}.wallet"
AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def bet_placed(number: int) -> DomainEvent:
    return DomainEvent(
        name="BetPlaced",
        source=SOURCE,
        detail={"player_id": "player-1", "transaction_id": f"bet-{number}", "amount": 50, "currency": "EUR"},
        correlation_id=f"corr-{number}",
        occurred_at=AT,
    )


@pytest.fixture
def bus_to_queue(events_client: Any, sqs_client: Any) -> tuple[str, str]:
    """A fresh bus with a rule sending the wallet's events to a fresh SQS queue."""
    bus = create_event_bus(events_client)
    queue_url = sqs_client.create_queue(QueueName=f"{bus}-queue")["QueueUrl"]
    attributes = sqs_client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    queue_arn = attributes["Attributes"]["QueueArn"]
    pattern = json.dumps({"source": [SOURCE]})
    events_client.put_rule(Name="wallet-events", EventBusName=bus, EventPattern=pattern)
    events_client.put_targets(
        Rule="wallet-events", EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}]
    )
    return bus, queue_url


def receive(sqs_client: Any, queue_url: str, count: int) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    for _ in range(10):
        response = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        bodies.extend(json.loads(message["Body"]) for message in response.get("Messages", []))
        if len(bodies) >= count:
            break
    return bodies


@pytest.mark.integration
def test_published_events_reach_the_rule_target_with_their_envelope(
    bus_to_queue: tuple[str, str], sqs_client: Any
) -> None:
    bus, queue_url = bus_to_queue
    events = [bet_placed(number) for number in range(12)]  # more than one PutEvents batch

    EventBridgePublisher(bus).publish(events)

    received = receive(sqs_client, queue_url, len(events))
    assert len(received) == len(events)
    assert {body["source"] for body in received} == {SOURCE}
    assert {body["detail-type"] for body in received} == {"BetPlaced"}
    by_correlation = {body["detail"]["correlation_id"]: body["detail"] for body in received}
    assert sorted(by_correlation) == sorted(event.correlation_id for event in events)
    assert by_correlation["corr-3"] == json.loads(json.dumps(events[3].envelope()))


@pytest.mark.integration
def test_events_go_out_in_batches_of_ten(bus_to_queue: tuple[str, str]) -> None:
    bus, _ = bus_to_queue
    publisher = EventBridgePublisher(bus)
    batches: list[int] = []
    publisher.client.meta.events.register(
        "provide-client-params.events.PutEvents", lambda params, **_: batches.append(len(params["Entries"]))
    )

    publisher.publish([bet_placed(number) for number in range(23)])

    assert batches == [10, 10, 3]


def test_refused_entries_raise_naming_the_events() -> None:
    client = boto3.client("events", region_name=REGION)
    events = [bet_placed(1), bet_placed(2)]
    refused = {
        "FailedEntryCount": 1,
        "Entries": [{"EventId": "id-1"}, {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}],
    }
    with Stubber(client) as stub:
        stub.add_response("put_events", refused)
        with pytest.raises(PublishFailed) as failed:
            EventBridgePublisher("bus", client=client).publish(events)

    assert failed.value.failures == [("BetPlaced", events[1].event_id, "InternalFailure")]
