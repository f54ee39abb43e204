"""The DynamoDB session store's own requests; the behaviour every store shares is
tests/contract/test_session_store_contract.py, this file is AWS's.
"""

from __future__ import annotations

import time

import pytest
from tests.contract.test_session_store_contract import ONE_BET, active_session

from {{ cookiecutter.package_name }}.adapters.dynamodb_sessions import DynamoSessionStore


@pytest.mark.integration
def test_activity_is_one_dynamodb_write_with_an_expiring_marker(
    aws_tables: dict[str, str], dynamodb_client: object
) -> None:
    sessions = DynamoSessionStore(aws_tables["SessionsTable"])
    sessions.save(active_session())
    calls: list[str] = []
    sessions.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

    sessions.record_activity("session-1", "event-bet", ONE_BET)

    assert calls == ["TransactWriteItems"]
    marker = sessions.client.get_item(
        TableName=aws_tables["SessionsTable"],
        Key={"pk": {"S": "SESSION#session-1"}, "sk": {"S": "EVENT#event-bet"}},
    )["Item"]
    # Longer than the dead-letter queue keeps a message (14 days), so a redrive is still deduplicated.
    fifteen_days = 15 * 24 * 3600
    assert abs(int(marker["expires_at"]["N"]) - (time.time() + fifteen_days)) < 60
