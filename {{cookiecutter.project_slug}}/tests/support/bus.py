"""What the queue workers receive: an EventBridge event in each SQS message body, as Lambda delivers it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tests.support.region import REGION

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.domain.events import DomainEvent


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
