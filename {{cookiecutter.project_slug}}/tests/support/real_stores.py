"""Which stores a shared contract suite runs on: the in-memory one, then the chosen cloud's if it has one.

A contract suite takes the cloud's store from a fixture with a neutral name (`real_session_store`,
`real_promotion_store`, ...) that the cloud's tests/support/fixtures_<provider>_<module>.py supplies. A
cloud with no adapter yet for a port supplies no such fixture: the suite then runs on memory only, with
no `cloud` case at all (a skipped case would read as a pass).
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from typing import Any

import pytest


@cache
def supplied_fixtures() -> frozenset[str]:
    """The names the chosen cloud's fixture files define (the files tests/conftest.py loads)."""
    names: set[str] = set()
    for path in sorted(Path(__file__).parent.glob("fixtures_*.py")):
        names.update(vars(importlib.import_module(f"tests.support.{path.stem}")))
    return frozenset(names)


def store_params(fixture: str) -> list[Any]:
    """`memory`, then `cloud` (an integration test) when the chosen cloud supplies `fixture`."""
    params: list[Any] = ["memory"]
    if fixture in supplied_fixtures():
        params.append(pytest.param("cloud", marks=pytest.mark.integration))
    return params
