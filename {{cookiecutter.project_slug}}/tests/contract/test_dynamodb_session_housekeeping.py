"""The DynamoDB session housekeeping's own records; the behaviour every store shares is
tests/contract/test_jobs_store_contract.py, this file is AWS's.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.contract.test_jobs_store_contract import NOW, session

from {{ cookiecutter.package_name }}.adapters.dynamodb_jobs import DynamoSessionHousekeeping
from {{ cookiecutter.package_name }}.adapters.dynamodb_sessions import DynamoSessionStore
from {{ cookiecutter.package_name }}.domain.sessions import SessionActivity


@pytest.mark.integration
def test_purge_leaves_the_activity_markers_to_their_ttl(aws_tables: dict[str, str]) -> None:
    table = aws_tables["SessionsTable"]
    housekeeping, store = DynamoSessionHousekeeping(table), DynamoSessionStore(table)
    ended = NOW - timedelta(days=3000)
    store.save(session("old", seen=ended, ended=ended))
    store.record_activity("old", "event-1", SessionActivity(bets=1, staked=10))

    assert housekeeping.purge_session("old", NOW - timedelta(days=365)) is True
    marker = housekeeping.client.get_item(
        TableName=table, Key={"pk": {"S": "SESSION#old"}, "sk": {"S": "EVENT#event-1"}}
    )
    assert "expires_at" in marker["Item"]
    assert list(housekeeping.ended_session_ids(NOW)) == []  # a marker is not a session
