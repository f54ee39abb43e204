"""The AWS app's promotions routes on DynamoDB (the moto server); the routes' behaviour is
tests/api/test_promotions_api.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.api.http_api import PLAYER, ApiClient
from tests.api.test_promotions_api import grant
from tests.support.tables import SERVERLESS_YML
from tools import cfn_yaml

from {{ cookiecutter.package_name }}.adapters.dynamodb_promotions import DynamoPromotionStore
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.api.aws import aws_app
from {{ cookiecutter.package_name }}.domain.promotions import (
    packaged_promotions,
)


@pytest.mark.integration
def test_the_aws_app_reads_promotions_and_grants_from_dynamodb(
    monkeypatch: pytest.MonkeyPatch, aws_tables: dict[str, str], clock: FixedClock
) -> None:
    monkeypatch.setenv("EVENT_BUS_NAME", "bus-unused")
    # The app builds every module's services: each gets the table serverless.yml hands it.
    for name, table in table_environment(aws_tables).items():
        monkeypatch.setenv(name, table)
    DynamoPromotionStore(aws_tables["PromotionsTable"]).record_grant(
        grant(PLAYER, "welcome-bonus", clock.now())
    )
    api = ApiClient(aws_app())

    listed = api.get("/promotions").json["promotions"]
    mine = api.get("/promotions/me").json["grants"]

    running = [promotion for promotion in packaged_promotions() if promotion.is_active(datetime.now(UTC))]
    assert [promotion["promotion_id"] for promotion in listed] == [item.promotion_id for item in running]
    assert [(item["promotion_id"], item["wagering"]["remaining"]) for item in mine] == [
        ("welcome-bonus", 30_000)
    ]


def table_environment(tables: dict[str, str]) -> dict[str, str]:
    """provider.environment's table names (a Ref of a table) in serverless.yml, pointed at `tables`."""
    document = cfn_yaml.load_file(SERVERLESS_YML)
    return {
        name: tables[value["Ref"]]
        for name, value in document["provider"]["environment"].items()
        if isinstance(value, dict) and value.get("Ref") in tables
    }
