"""The sessions' scheduled jobs end to end through their Lambda handlers, on the moto server.

The tables come from serverless.yml (tests/support/tables.py), other resources a job uses are made from
their definition there (tools/aws/stack.py, as `make dev` makes them), and each function gets the
environment the stack gives it. Published events reach a queue through a rule on the test's own bus, as
they would reach the stack's workers. The ledger's jobs: test_ledger_jobs_moto.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from tests.support.tables import create_event_bus
from tools.aws.stack import StackError, create_local_stack, load

from {{ cookiecutter.package_name }}.adapters.dynamodb_sessions import DynamoSessionStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.compliance import RETENTION_YEARS
from {{ cookiecutter.package_name }}.domain.jobs import years_before
from {{ cookiecutter.package_name }}.domain.sessions import SessionService, SessionStatus
from {{ cookiecutter.package_name }}.handlers import retention_purge, session_cleanup

pytestmark = pytest.mark.integration

PACKAGE = "{{ cookiecutter.package_name }}"
SCHEDULE_ID = "5d1c9e0a-7f3b-4e2d-8c6a-9b0e1f2a3b4c"


@dataclass(frozen=True)
class JobStack:
    """The tables, the bus (with a queue that receives what the jobs publish) and the jobs' own resources."""

    tables: dict[str, str]
    refs: dict[str, str]  # the physical names of the resources made, by logical id
    published: str  # the capture queue's URL


def scheduled_event(at: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": SCHEDULE_ID,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [],
        "detail": {},
    }


def lambda_context() -> SimpleNamespace:
    return SimpleNamespace(
        aws_request_id=f"lambda-{uuid.uuid4().hex[:8]}", get_remaining_time_in_millis=lambda: 900_000
    )


@contextmanager
def local_job_stack(
    function: str,
    resources: tuple[str, ...],
    handlers: tuple[Any, ...],
    fixtures: tuple[dict[str, str], Any, Any, pytest.MonkeyPatch],
) -> Iterator[JobStack]:
    """The stack's `resources` made on the moto server, and `function`'s environment as the stack sets it.

    `fixtures`: the tables, the EventBridge and SQS clients and the monkeypatch of the test.
    """
    aws_tables, events_client, sqs_client, monkeypatch = fixtures
    definition = load(source="serverless.yml")
    own = {name: definition.resources[name] for name in resources}
    stack = create_local_stack(replace(definition, resources=own, parameter_arns=()), boto3.client)
    stack.refs.update(aws_tables)
    stack.refs["EventBus"] = bus = create_event_bus(events_client)
    # The job's environment as the stack sets it, but for what names other modules' resources, which
    # this test does not create.
    for name, value in definition.function(function).environment.items():
        try:
            monkeypatch.setenv(name, str(stack.resolve(value)))
        except StackError:
            monkeypatch.delenv(name, raising=False)
    for handler in handlers:
        monkeypatch.setattr(handler, "_job", None)  # built from this environment on first use
    queue_url = sqs_client.create_queue(QueueName=f"published-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs_client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events_client.put_rule(
        Name="capture",
        EventBusName=bus,
        EventPattern=json.dumps({"source": [f"{PACKAGE}.scheduled_jobs", f"{PACKAGE}.sessions"]}),
    )
    events_client.put_targets(Rule="capture", EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])
    try:
        yield JobStack(tables=aws_tables, refs=dict(stack.refs), published=queue_url)
    finally:
        sqs_client.delete_queue(QueueUrl=queue_url)


@pytest.fixture
def job_stack(
    aws_tables: dict[str, str],
    events_client: Any,
    sqs_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[JobStack]:
    fixtures = (aws_tables, events_client, sqs_client, monkeypatch)
    with local_job_stack("sessionCleanup", (), (session_cleanup, retention_purge), fixtures) as stack:
        yield stack


def published(sqs_client: Any, queue_url: str) -> list[dict[str, Any]]:
    """The EventBridge events delivered to the capture queue so far."""
    events = []
    while True:
        messages = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return events
        for message in messages:
            events.append(json.loads(message["Body"]))
            sqs_client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_session_cleanup_ends_idle_sessions_as_sign_outs(job_stack: JobStack, sqs_client: Any) -> None:
    store = DynamoSessionStore(job_stack.tables["SessionsTable"])
    clock = FixedClock(datetime.now(UTC) - timedelta(hours=2))
    sessions = SessionService(store, InMemoryEventPublisher(), clock, f"{PACKAGE}.sessions")
    idle = sessions.start_session("player-1", correlation_id="login").session_id
    clock.advance(timedelta(hours=2))
    fresh = sessions.start_session("player-2", correlation_id="login").session_id

    first = session_cleanup.handler(scheduled_event(datetime.now(UTC)), lambda_context())
    again = session_cleanup.handler(scheduled_event(datetime.now(UTC)), lambda_context())

    assert (first["ended"], again["ended"]) == (1, 0)
    ended, active = store.get(idle), store.get(fresh)
    assert ended is not None
    assert ended.status is SessionStatus.ENDED
    assert active is not None
    assert active.status is SessionStatus.ACTIVE
    (event,) = published(sqs_client, job_stack.published)
    assert (event["detail-type"], event["detail"]["session_id"]) == ("SessionUpdated", idle)
    assert (event["detail"]["status"], event["detail"]["correlation_id"]) == ("ended", SCHEDULE_ID)


def test_retention_purge_deletes_only_sessions_past_the_retention(job_stack: JobStack) -> None:
    store = DynamoSessionStore(job_stack.tables["SessionsTable"])
    long_ago = years_before(datetime.now(UTC), RETENTION_YEARS) - timedelta(days=2)
    clock = FixedClock(long_ago)
    sessions = SessionService(store, InMemoryEventPublisher(), clock, f"{PACKAGE}.sessions")
    expired = sessions.start_session("player-1", correlation_id="login").session_id
    sessions.end_session(expired, "player-1", correlation_id="logout")
    still_active = sessions.start_session("player-2", correlation_id="login").session_id
    clock.advance(timedelta(days=5))  # within the retention
    kept = sessions.start_session("player-1", correlation_id="login").session_id
    sessions.end_session(kept, "player-1", correlation_id="logout")

    first = retention_purge.handler(scheduled_event(datetime.now(UTC)), lambda_context())
    again = retention_purge.handler(scheduled_event(datetime.now(UTC)), lambda_context())

    assert (first["purged"], again["purged"]) == (1, 0)
    assert store.get(expired) is None
    assert store.get(kept) is not None
    assert store.get(still_active) is not None
