"""The promotions module's real stores on GCP for the shared contract suites: Firestore on its emulator.

tests/contract/test_promotion_store_contract.py runs every test against the in-memory store and against
`real_promotion_store`; each cloud with an adapter for the port supplies it in its
fixtures_<provider>_promotions.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_promotions import (
    FirestorePromotionStore,
)
from {{ cookiecutter.package_name }}.ports.promotions import PromotionStore


@pytest.fixture
def real_promotion_store(firestore_client: Any) -> PromotionStore:
    """The Firestore promotion store on an empty database."""
    return FirestorePromotionStore(DATABASE, firestore_client)
