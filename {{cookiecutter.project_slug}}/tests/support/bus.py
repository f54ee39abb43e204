"""What the queue workers receive: an EventBridge event in each SQS message body, as Lambda delivers it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
{%- if cookiecutter.module_wallet %}
    from tools.streams import StreamPoller
{% endif %}
    from {{ cookiecutter.package_name }}.domain.events import DomainEvent
{%- if cookiecutter.module_wallet %}
    from {{ cookiecutter.package_name }}.ports import EventPublisher
{%- endif %}

REGION = "{{ cookiecutter.region }}"


def eventbridge_body(event: DomainEvent) -> str:
    """What an EventBridge rule puts in the SQS message body for a published DomainEvent."""
    return json.dumps(
        {
            "version": "0",
            "id": f"eb-{event.event_id}",
            "detail-type": event.name,
            "source": event.source,
            "account": "123456789012",
            "time": event.occurred_at.isoformat(),
            "region": REGION,
            "resources": [],
            "detail": event.envelope(),
        }
    )


def sqs_event(*bodies: str, receive_count: int = 1) -> dict[str, Any]:
    """An SQS event with a record per body (message ids msg-1, msg-2, ...), received `receive_count` times."""
    return {
        "Records": [
            {
                "messageId": f"msg-{number}",
                "receiptHandle": f"handle-{number}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": str(receive_count)},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "awsRegion": REGION,
            }
            for number, body in enumerate(bodies, start=1)
        ]
    }
{%- if cookiecutter.module_wallet %}


def outbox_poller(table_name: str, publisher: EventPublisher) -> StreamPoller:
    """The wallet table's stream carried to `publisher` by the walletOutbox handler's relay, as on AWS.

    `poll()` it after the money operations: the events reach `publisher` as the bus would get them.
    """
    import boto3
    from tools.streams import StreamPoller

    from {{ cookiecutter.package_name }}.handlers.wallet_outbox import OutboxRelay

    class Refuse:
        def send(self, body: str) -> None:
            raise AssertionError(f"a poison outbox record: {body}")

    relay = OutboxRelay(publisher, Refuse())
    return StreamPoller(
        boto3.client("dynamodb"),
        boto3.client("dynamodbstreams"),
        table_name,
        lambda event, context: relay.relay(event["Records"]),
    )
{%- endif %}
