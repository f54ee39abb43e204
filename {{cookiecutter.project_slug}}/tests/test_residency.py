"""The region of serverless.yml is checked against the jurisdiction before any cloud call."""

from __future__ import annotations

from pathlib import Path

import pytest
from tools import residency

PROJECT = Path(__file__).resolve().parent.parent


def test_the_generated_region_is_allowed() -> None:
    assert residency.main(["--serverless-yml", str(PROJECT / "serverless.yml")]) == 0


def test_an_unknown_region_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        residency.main(["--serverless-yml", str(PROJECT / "serverless.yml"), "--region", "mars-north-1"]) == 1
    )
    assert "not an AWS region" in capsys.readouterr().err


def test_a_region_outside_the_jurisdictions_rule_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (PROJECT / "serverless.yml").read_text(encoding="utf-8")
    ruled = text.replace("allowedRegions: []", "allowedRegions: [eu-west-2]").replace(
        "jurisdiction: none", "jurisdiction: uk-gc"
    )
    config = tmp_path / "serverless.yml"
    config.write_text(ruled, encoding="utf-8")
    block = residency.region_block(config)
    outside = "us-west-2" if "us-west-2" not in block["allowedRegions"] else "eu-north-1"

    assert residency.main(["--serverless-yml", str(config), "--region", outside]) == 1

    error = capsys.readouterr().err
    assert f"not allowed for jurisdiction {block['jurisdiction']!r}" in error
    assert "residency rule allows only" in error
