"""Every function infra/ deploys has its entry point in main.py, and main.py offers none infra lacks.

infra/ names each function's target as `entry_point = "<target>"` (functions.tf, modules/*/main.tf);
functions-framework looks the target up by name in main.py. A function whose entry point is not built
yet is named in NOT_BUILT with the reason, as infra/README.md says: building it means taking it out.
"""

from __future__ import annotations

import re

import main
import pytest
from tests.gcp.functions import ROOT

ENTRY_POINT = re.compile(r'^\s*entry_point\s*=\s*"([a-z_]+)"', re.MULTILINE)

# The functions infra/ deploys whose entry point is not built: what each one lacks.
NOT_BUILT: dict[str, str] = {}


def infra_entry_points() -> set[str]:
    return {name for path in (ROOT / "infra").rglob("*.tf") for name in ENTRY_POINT.findall(path.read_text())}


def test_infra_names_the_api_and_the_audit_trail() -> None:
    assert {"api", "audit_trail"} <= infra_entry_points()


def test_every_function_of_infra_is_built_or_listed_as_not_built() -> None:
    infra = infra_entry_points()

    missing = infra - set(main.entry_points())

    assert sorted(missing) == sorted(infra & NOT_BUILT.keys())


def test_every_entry_point_of_main_has_its_function_in_infra() -> None:
    assert set(main.entry_points()) <= infra_entry_points()


def test_nothing_listed_as_not_built_is_offered() -> None:
    assert not NOT_BUILT.keys() & set(main.entry_points())


@pytest.mark.parametrize("target", sorted(infra_entry_points() - NOT_BUILT.keys()))
def test_each_entry_point_resolves_to_a_callable(target: str) -> None:
    assert callable(getattr(main, target))


@pytest.mark.parametrize("target", ["daily_report_of_nobody", "_private", "entry_points_"])
def test_main_refuses_a_target_it_does_not_offer(target: str) -> None:
    with pytest.raises(AttributeError, match=target):
        getattr(main, target)
