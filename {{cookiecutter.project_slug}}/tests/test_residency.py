"""The configured region is checked against the jurisdiction before any cloud call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tools import residency

PROJECT = Path(__file__).resolve().parent.parent
CONFIG = PROJECT / residency.provider_regions().CONFIG


def test_the_generated_region_is_allowed() -> None:
    assert residency.main(["--config", str(CONFIG)]) == 0


def test_an_unknown_region_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert residency.main(["--config", str(CONFIG), "--region", "mars-north-1"]) == 1
    assert f"not {residency.provider_regions().KNOWN_AS}" in capsys.readouterr().err


def test_the_configured_region_is_the_generated_one() -> None:
    answers = json.loads((PROJECT / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert residency.region_block(CONFIG)["name"] == answers["region"]


def test_a_region_outside_the_jurisdictions_rule_is_refused() -> None:
    allowed, outside = sorted(residency.provider_regions().known())[:2]
    block = {"name": allowed, "jurisdiction": "uk-gc", "allowedRegions": [allowed]}

    found = residency.problems(block, outside)

    assert len(found) == 1
    assert f"not allowed for jurisdiction {block['jurisdiction']!r}" in found[0]
    assert "residency rule allows only" in found[0]
    assert residency.problems(block, allowed) == []
