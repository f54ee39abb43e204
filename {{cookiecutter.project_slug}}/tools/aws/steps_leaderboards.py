"""Leaderboards' steps on the AWS local run: the worker's Lambda handler fed one SQS record."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.handlers import leaderboards
from tools.journey import CURRENCY


def leaderboard_update(player: str, transaction_id: str, amount: int) -> Any:
    """The leaderboards worker handling one BetSettled (an SQS record, as EventBridge delivers it)."""
    event = DomainEvent(
        name="BetSettled",
        source="{{ cookiecutter.package_name }}.wallet",
        detail={
            "player_id": player,
            "transaction_id": transaction_id,
            "amount": amount,
            "currency": CURRENCY,
        },
        correlation_id=f"bench-{transaction_id}",
        occurred_at=datetime.now(UTC),
    )
    body = {"detail-type": event.name, "source": event.source, "detail": event.envelope()}
    record = {"messageId": event.event_id, "body": json.dumps(body)}
    response = leaderboards.handler({"Records": [record]}, None)
    if response["batchItemFailures"]:
        raise RuntimeError(f"the leaderboards worker failed the record: {response}")
    return response
