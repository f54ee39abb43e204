"""A bad message among good ones: the good are applied once, the bad one ends in the dead-letter queue.

The session-activity queue and its dead-letter queue are made in the moto server from serverless.yml
(tools/aws/stack.py, as `make dev` makes them), so the redrive policy under test is the stack's own.
The real handler gets its batches the way Lambda's SQS event source mapping delivers them
(tools/aws/dev.py): receive, invoke with the batch, delete what succeeded and leave the
reported failures to come back.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.support.region import REGION
from tests.support.tables import create_event_bus
from tools.aws.dev import _deliver
from tools.aws.stack import Function, LocalStack, create_local_stack, load

from {{ cookiecutter.package_name }}.adapters.dynamodb_sessions import DynamoSessionStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.domain.sessions import SessionActivity, SessionService
from {{ cookiecutter.package_name }}.handlers import session_activity

pytestmark = pytest.mark.integration

FUNCTION = "sessionActivity"
PLAYER = "player-1"
STAKES = [100, 250, 40, 900, 5, 1_000]
PLAYED_AT = datetime(2030, 1, 1, 12, 30, tzinfo=UTC)
# More receives than a message can have before it is dead-lettered: the worker loop's safety stop.
MAX_POLLS = 50


@dataclass(frozen=True)
class WorkerQueue:
    """The worker's queue and dead-letter queue as created from serverless.yml, and the worker."""

    function: Function
    url: str
    arn: str
    dead_letter_url: str
    max_receive_count: int
    batch_size: int


@pytest.fixture
def worker_queue(
    sqs_client: Any,
    events_client: Any,
    aws_tables: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[WorkerQueue]:
    """The queue pair under fresh names, and the worker's environment pointing at the test's tables."""
    definition = load(source="serverless.yml")
    function = definition.function(FUNCTION)
    (source,) = function.sources
    dead_letters = LocalStack(definition).dead_letter_queue(source.queue)
    assert dead_letters is not None, f"{source.queue} has no RedrivePolicy in serverless.yml"
    suffix = uuid.uuid4().hex[:8]
    queues = {name: copy.deepcopy(definition.resources[name]) for name in (source.queue, dead_letters)}
    for name, resource in queues.items():
        resource["Properties"]["QueueName"] = f"{name}-{suffix}"  # other tests share the moto server
    stack = create_local_stack(
        replace(definition, resources=queues, parameter_arns=()), lambda service: sqs_client
    )
    # The function's environment as the stack sets it, with the test's tables and a bus of its own.
    # Other resources the shared environment names (buckets, topics) are not used by this worker.
    stack.refs.update({name: name.lower() for name in definition.resources if name not in stack.refs})
    stack.refs.update(aws_tables)
    stack.refs["EventBus"] = create_event_bus(events_client)
    for name, value in stack.environment(function).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(session_activity, "_service", None)  # built from this environment
    redrive = queues[source.queue]["Properties"]["RedrivePolicy"]
    yield WorkerQueue(
        function=function,
        url=stack.queue_url(source.queue),
        arn=stack.arn(source.queue),
        dead_letter_url=stack.queue_url(dead_letters),
        max_receive_count=int(redrive["maxReceiveCount"]),
        batch_size=source.batch_size,
    )
    for name in queues:
        sqs_client.delete_queue(QueueUrl=stack.queue_url(name))


def bet_placed_body(session_id: str, transaction_id: str, stake: int) -> str:
    """The SQS body EventBridge delivers for the wallet's BetPlaced event."""
    event = DomainEvent(
        name="BetPlaced",
        source="{{ cookiecutter.package_name }}.wallet",
        detail={
            "player_id": PLAYER,
            "transaction_id": transaction_id,
            "amount": stake,
            "currency": "EUR",
            "session_id": session_id,
        },
        correlation_id=f"round-{transaction_id}",
        occurred_at=PLAYED_AT,
    )
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": event.name,
            "source": event.source,
            "account": "123456789012",
            "time": PLAYED_AT.isoformat(),
            "region": REGION,
            "resources": [],
            "detail": event.envelope(),
        }
    )


def run_worker_until_idle(sqs_client: Any, queue: WorkerQueue) -> list[dict[str, Any]]:
    """Poll and deliver until the queue answers empty; returns every message the handler was given.

    Received with visibility timeout 0, so a failed message is back at once: the retries that the
    queue's 180 s timeout would space out happen within the test.
    """
    received: list[dict[str, Any]] = []
    for _ in range(MAX_POLLS):
        messages = sqs_client.receive_message(
            QueueUrl=queue.url,
            MaxNumberOfMessages=min(queue.batch_size, 10),
            VisibilityTimeout=0,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return received
        received.extend(messages)
        _deliver(
            queue.function.name,
            session_activity.handler,
            sqs_client,
            queue.url,
            queue.arn,
            sqs_client.meta.region_name,
            messages,
        )
    raise AssertionError(f"the queue was still delivering after {MAX_POLLS} receives")


def messages_in(sqs_client: Any, url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs_client.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[name]) for name in names)


def test_malformed_message_is_dead_lettered_and_the_rest_applied_once(
    sqs_client: Any,
    aws_tables: dict[str, str],
    worker_queue: WorkerQueue,
    clock: FixedClock,
    publisher: InMemoryEventPublisher,
) -> None:
    store = DynamoSessionStore(aws_tables["SessionsTable"])
    sessions = SessionService(store, publisher, clock, "{{ cookiecutter.package_name }}.sessions")
    session_id = sessions.start_session(PLAYER, correlation_id="login").session_id
    valid = [bet_placed_body(session_id, f"bet-{n}", stake) for n, stake in enumerate(STAKES)]
    malformed = valid[0][:40]  # a body cut short: not JSON
    bodies = [*valid[:3], malformed, *valid[3:]]
    sent = sqs_client.send_message_batch(
        QueueUrl=worker_queue.url,
        Entries=[{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies)],
    )
    assert sent.get("Failed", []) == []
    malformed_id = next(item["MessageId"] for item in sent["Successful"] if item["Id"] == "3")

    received = run_worker_until_idle(sqs_client, worker_queue)

    deliveries = Counter(message["MessageId"] for message in received)
    assert deliveries.pop(malformed_id) == worker_queue.max_receive_count
    assert sorted(deliveries.values()) == [1] * len(valid), "a valid message was delivered again"
    tries = [m["Attributes"]["ApproximateReceiveCount"] for m in received if m["MessageId"] == malformed_id]
    assert tries == [str(n) for n in range(1, worker_queue.max_receive_count + 1)]
    session = store.get(session_id)
    assert session is not None
    assert session.activity == SessionActivity(bets=len(STAKES), staked=sum(STAKES))
    assert messages_in(sqs_client, worker_queue.url) == 0
    dead = sqs_client.receive_message(
        QueueUrl=worker_queue.dead_letter_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
    ).get("Messages", [])
    assert [(message["MessageId"], message["Body"]) for message in dead] == [(malformed_id, malformed)]
