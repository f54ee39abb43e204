"""The promotions module's real stores on AWS for the shared contract suites: DynamoDB on the moto server.

tests/contract/test_promotion_store_contract.py runs every test against the in-memory store and against
`real_promotion_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_promotions.py.
"""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.dynamodb_promotions import DynamoPromotionStore
from {{ cookiecutter.package_name }}.ports.promotions import PromotionStore


@pytest.fixture
def real_promotion_store(aws_tables: dict[str, str]) -> PromotionStore:
    """The DynamoDB promotion store on fresh tables."""
    return DynamoPromotionStore(aws_tables["PromotionsTable"])
