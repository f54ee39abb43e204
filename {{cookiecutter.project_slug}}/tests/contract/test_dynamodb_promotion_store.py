"""The DynamoDB promotion store's own requests and records; the behaviour every store shares is
tests/contract/test_promotion_store_contract.py, this file is AWS's.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from tests.contract.test_promotion_store_contract import DAY, LATER, PLAYER, grant, step

from {{ cookiecutter.package_name }}.adapters.dynamodb_promotions import DynamoPromotionStore
from {{ cookiecutter.package_name }}.domain.promotions import CountedStake


@pytest.mark.integration
def test_counted_markers_expire_after_the_dead_letter_queue_lets_go(
    aws_tables: dict[str, str], dynamodb_client: Any
) -> None:
    promotions = DynamoPromotionStore(aws_tables["PromotionsTable"])
    promotions.record_grant(grant())
    promotions.count_bet(PLAYER, "ten-bets", DAY, "event-1")
    promotions.count_stake(PLAYER, CountedStake("bet-1", "event-1"), [step("welcome", 0, 10)], LATER)
    fifteen_days = 15 * 24 * 3600

    for sort_key in ("BET#ten-bets#event-1", f"BETS#ten-bets#{DAY}", "STAKE#bet-1"):
        item = dynamodb_client.get_item(
            TableName=aws_tables["PromotionsTable"],
            Key={"pk": {"S": f"PLAYER#{PLAYER}"}, "sk": {"S": sort_key}},
        )["Item"]
        assert abs(int(item["expires_at"]["N"]) - (time.time() + fifteen_days)) < 60
    grant_item = dynamodb_client.get_item(
        TableName=aws_tables["PromotionsTable"],
        Key={"pk": {"S": f"PLAYER#{PLAYER}"}, "sk": {"S": "GRANT#welcome"}},
    )["Item"]
    assert "expires_at" not in grant_item  # grants are kept: they record money given to a player


@pytest.mark.integration
def test_counting_a_stake_is_one_dynamodb_write(aws_tables: dict[str, str]) -> None:
    promotions = DynamoPromotionStore(aws_tables["PromotionsTable"])
    promotions.record_grant(grant("welcome"))
    promotions.record_grant(grant("tournament"))
    calls: list[str] = []
    promotions.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.append(model.name)
    )

    promotions.count_stake(
        PLAYER, CountedStake("bet-1", "event-1"), [step("welcome", 0, 10), step("tournament", 0, 10)], LATER
    )

    assert calls == ["TransactWriteItems"]
