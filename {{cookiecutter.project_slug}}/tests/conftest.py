"""Fixtures shared by every test: a fixed clock and an in-memory publisher; the rest comes by name.

Two kinds of fixture files are loaded by name, so this file names no module and no cloud:
- tests/api/fixtures_<module>.py: each module's own fixtures, for the modules the registry lists;
- tests/support/fixtures_<provider>.py and fixtures_<provider>_<module>.py: the chosen cloud's local
  servers and its real adapters (the manifest keeps only the chosen provider's files, and a
  provider-and-module file only with its module). The shared contract suites ask them for the real
  adapter by a neutral name (`real_ledger_store`, `real_ledger_store_with_sessions`), so the same test
  file proves the in-memory store and the chosen cloud's store alike.
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.registry import MODULES

pytest_plugins = [
    *(
        f"tests.api.fixtures_{name}"
        for name in MODULES
        if importlib.util.find_spec(f"tests.api.fixtures_{name}") is not None
    ),
    # Sorted: a provider's own fixtures (fixtures_aws) load before its per-module ones (fixtures_aws_wallet).
    *(f"tests.support.{path.stem}" for path in sorted(Path(__file__).parent.glob("support/fixtures_*.py"))),
]


@pytest.fixture
def clock() -> FixedClock:
    """A clock that stands still at a known moment until the test advances it."""
    return FixedClock(datetime(2030, 1, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    """Collects published events in `.events`."""
    return InMemoryEventPublisher()
