"""The notification channels: one message per delivery on each, against the moto server for SNS and SES."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from tests.support.region import REGION

from {{ cookiecutter.package_name }} import observability
from {{ cookiecutter.package_name }}.adapters.channels import (
    LogChannel,
    SesChannel,
    SnsChannel,
    channel_for,
)
from {{ cookiecutter.package_name }}.adapters.memory_notifications import (
    InMemoryChannel,
    InMemoryNotificationStore,
)
from {{ cookiecutter.package_name }}.domain.notifications import Notification, Reason, Undeliverable
from {{ cookiecutter.package_name }}.ports.notifications import NotificationChannel
from {{ cookiecutter.package_name }}.settings_notifications import NotificationSettings

PLAYER = "player-1"
ADDRESS = "ann@example.com"
SENDER = "casino@example.com"

# A channel under test and a function that tells how many messages it has sent so far.
Observed = tuple[NotificationChannel, Callable[[], int]]


def notification(notification_id: str = "event-1", reason: Reason = Reason.LIMIT_REACHED) -> Notification:
    return Notification(
        notification_id, PLAYER, reason, "Limit reached", "You have reached your deposit limit.", "corr-1"
    )


@pytest.fixture
def sns_topic(moto_server: object) -> Iterator[tuple[Any, str, str]]:
    """A topic with an SQS queue subscribed to it: what a delivery service would see."""
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic_arn = sns.create_topic(Name=f"notifications-{uuid.uuid4().hex[:8]}")["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"subscriber-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    yield sqs, topic_arn, queue_url
    sqs.delete_queue(QueueUrl=queue_url)
    sns.delete_topic(TopicArn=topic_arn)


def received(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
        "Messages", []
    )
    return [json.loads(message["Body"]) for message in messages]


@pytest.fixture
def verified_sender(moto_server: object) -> str:
    boto3.client("sesv2").create_email_identity(EmailIdentity=SENDER)
    return SENDER


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[dict[str, Any]]]:
    """The JSON lines the channel logs, through a Powertools Logger of its own."""
    stream = io.StringIO()
    logger = Logger(service=f"log-capture-{uuid.uuid4().hex[:8]}", stream=stream)
    monkeypatch.setattr(observability, "_logger", logger)
    return lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def sent_emails() -> int:
    return int(boto3.client("ses").get_send_quota()["SentLast24Hours"])


@pytest.fixture(
    params=[
        "memory",
        "log",
        pytest.param("sns", marks=pytest.mark.integration),
        pytest.param("ses", marks=pytest.mark.integration),
    ]
)
def observed(request: pytest.FixtureRequest) -> Observed:
    if request.param == "memory":
        memory = InMemoryChannel()
        return memory, lambda: len(memory.delivered)
    if request.param == "log":
        log_lines = request.getfixturevalue("log_lines")
        return LogChannel(), lambda: sum(line["message"] == "notification" for line in log_lines())
    if request.param == "sns":
        sqs, topic_arn, queue_url = request.getfixturevalue("sns_topic")
        messages: list[dict[str, Any]] = []

        def published() -> int:
            messages.extend(received(sqs, queue_url))
            return len(messages)

        return SnsChannel(topic_arn), published
    sender = request.getfixturevalue("verified_sender")
    before = sent_emails()
    return SesChannel(sender, lambda player_id: ADDRESS), lambda: sent_emails() - before


def test_each_delivery_is_one_message(observed: Observed) -> None:
    channel, count = observed

    channel.deliver(notification("event-1"))
    channel.deliver(notification("event-2", Reason.REALITY_CHECK_DUE))

    assert count() == 2
    assert channel.name in {"memory", "log", "sns", "ses"}


@pytest.mark.integration
def test_sns_message_carries_the_notification_and_filterable_attributes(
    sns_topic: tuple[Any, str, str],
) -> None:
    sqs, topic_arn, queue_url = sns_topic

    SnsChannel(topic_arn).deliver(notification())

    (envelope,) = received(sqs, queue_url)
    assert json.loads(envelope["Message"]) == {
        "notification_id": "event-1",
        "player_id": PLAYER,
        "kind": "service",
        "reason": "limit_reached",
        "subject": "Limit reached",
        "text": "You have reached your deposit limit.",
        "correlation_id": "corr-1",
    }
    attributes = {name: value["Value"] for name, value in envelope["MessageAttributes"].items()}
    assert attributes == {"player_id": PLAYER, "kind": "service", "reason": "limit_reached"}


@pytest.mark.integration
def test_ses_reaches_only_players_with_an_address(verified_sender: str) -> None:
    before = sent_emails()
    channel = SesChannel(verified_sender, lambda player_id: None)

    with pytest.raises(Undeliverable):
        channel.deliver(notification())

    assert sent_emails() == before


@pytest.mark.integration
def test_ses_refuses_a_sender_that_is_not_verified(moto_server: object) -> None:
    channel = SesChannel("nobody@unverified.example.net", lambda player_id: ADDRESS)

    with pytest.raises(ClientError) as refused:
        channel.deliver(notification())

    assert refused.value.response["Error"]["Code"] == "MessageRejected"


def test_log_line_names_the_player_but_not_the_message(
    log_lines: Callable[[], list[dict[str, Any]]],
) -> None:
    LogChannel().deliver(notification())

    (line,) = [line for line in log_lines() if line["message"] == "notification"]
    assert (line["player_id"], line["reason"], line["kind"]) == (PLAYER, "limit_reached", "service")
    assert "deposit limit" not in json.dumps(line)


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, LogChannel),
        ({"NOTIFICATION_CHANNEL": "sns", "NOTIFICATIONS_TOPIC_ARN": f"arn:aws:sns:{REGION}:1:t"}, SnsChannel),
        ({"NOTIFICATION_CHANNEL": "ses", "NOTIFICATION_SENDER": SENDER}, SesChannel),
    ],
)
def test_the_setting_picks_the_channel(environment: dict[str, str], expected: type) -> None:
    settings = NotificationSettings.from_env({"NOTIFICATIONS_TABLE_NAME": "t", **environment})

    assert isinstance(channel_for(settings, InMemoryNotificationStore()), expected)


@pytest.mark.integration
def test_ses_channel_finds_the_address_in_the_preferences(verified_sender: str) -> None:
    store = InMemoryNotificationStore()
    settings = NotificationSettings.from_env(
        {
            "NOTIFICATIONS_TABLE_NAME": "t",
            "NOTIFICATION_CHANNEL": "ses",
            "NOTIFICATION_SENDER": verified_sender,
        }
    )
    channel = channel_for(settings, store)
    before = sent_emails()

    with pytest.raises(Undeliverable):
        channel.deliver(notification("event-1"))
    store.set_choices(PLAYER, None, ADDRESS, datetime(2030, 1, 1, tzinfo=UTC))
    channel.deliver(notification("event-2"))

    assert sent_emails() == before + 1
