"""The promotions' fixtures for the API tests: the packaged promotions on an in-memory store."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.memory_promotions import InMemoryPromotionStore
from {{ cookiecutter.package_name }}.domain.promotions import PromotionBoard, packaged_promotions


@pytest.fixture
def service_promotions(clock: FixedClock) -> PromotionBoard:
    return PromotionBoard(packaged_promotions(), InMemoryPromotionStore(), clock)
