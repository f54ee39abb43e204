"""The promotions module's real stores on Azure for the shared contract suites: Table Storage on Azurite.

tests/contract/test_promotion_store_contract.py runs every test against the in-memory store and against
`real_promotion_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_promotions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.ports.promotions import PromotionStore


@pytest.fixture
def real_promotion_store(table_factory: Callable[..., Any]) -> PromotionStore:
    """The Table Storage promotion store on a fresh table."""
    from {{ cookiecutter.package_name }}.adapters.table_promotions import TablePromotionStore

    return TablePromotionStore(table_factory())
