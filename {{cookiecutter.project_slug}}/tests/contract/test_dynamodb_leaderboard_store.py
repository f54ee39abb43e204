"""The DynamoDB leaderboard store's own requests; the behaviour every store shares is
tests/contract/test_leaderboard_store_contract.py, this file is AWS's.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from tests.contract.test_leaderboard_store_contract import BETS, MISSION, TODAY, win

from {{ cookiecutter.package_name }}.adapters.dynamodb_leaderboards import DynamoLeaderboardStore
from {{ cookiecutter.package_name }}.domain.leaderboards import ScoredPlay


@pytest.mark.integration
def test_a_play_is_one_dynamodb_write_with_an_expiring_marker(aws_tables: dict[str, str]) -> None:
    boards = DynamoLeaderboardStore(aws_tables["LeaderboardsTable"])
    calls: list[str] = []
    boards.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

    boards.record_play(ScoredPlay("event-1", "player-1", scores={TODAY: 250, BETS: 1}, progress={MISSION: 1}))

    assert calls == ["TransactWriteItems"]
    marker: dict[str, Any] = boards.client.get_item(
        TableName=aws_tables["LeaderboardsTable"], Key={"pk": {"S": "EVENT#event-1"}, "sk": {"S": "EVENT"}}
    )["Item"]
    # Longer than the dead-letter queue keeps a message (14 days), so a redrive is still deduplicated.
    fifteen_days = 15 * 24 * 3600
    assert abs(int(marker["expires_at"]["N"]) - (time.time() + fifteen_days)) < 60


@pytest.mark.integration
def test_top_and_rank_are_one_query_each(aws_tables: dict[str, str]) -> None:
    boards = DynamoLeaderboardStore(aws_tables["LeaderboardsTable"])
    for number in range(5):
        boards.record_play(win(f"e{number}", f"player-{number}", 100 * number))
    calls: list[str] = []
    boards.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

    boards.top(TODAY, 3)
    boards.players_ahead(TODAY, 200)

    assert calls == ["Query", "Query"]
