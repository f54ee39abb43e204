"""The GCP flavour (a preview): it generates with its warning, without AWS files, and its Terraform holds up offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from combinations import GCP_PREVIEW
from conftest import Bake, bake

_BAKED: dict[str, Bake] = {}


@pytest.fixture(params=GCP_PREVIEW, ids=[case[0] for case in GCP_PREVIEW])
def gcp_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Bake:
    """Generate each GCP combination once per test process."""
    case_id, answers = request.param
    if case_id not in _BAKED:
        _BAKED[case_id] = bake(tmp_path_factory.mktemp(case_id), answers)
    result = _BAKED[case_id]
    assert result.returncode == 0, result.output
    return result


def aws_paths(manifest: dict[str, Any], package: str) -> list[str]:
    return [path.format(package=package) for path in manifest["providers"]["aws"]["files"]]


def test_gcp_generates_with_the_preview_warning(gcp_project: Bake, manifest: dict[str, Any]) -> None:
    assert manifest["providers"]["gcp"]["status"] == "preview"
    assert "Warning: the GCP flavour is in progress" in gcp_project.output
    assert "Do not deploy this project." in gcp_project.output
    assert "make infra-check" in gcp_project.output
    assert "osls" not in gcp_project.output.split("Next:")[1]


def test_gcp_project_holds_no_aws_file(gcp_project: Bake, manifest: dict[str, Any]) -> None:
    package = next(p.name for p in (gcp_project.project / "src").iterdir())
    present = [path for path in aws_paths(manifest, package) if (gcp_project.project / path).exists()]
    assert present == []


def test_aws_project_keeps_its_files_and_holds_no_gcp_file(tmp_path: Path, manifest: dict[str, Any]) -> None:
    """The same pruning the other way round: an AWS project keeps serverless.yml and loses infra/."""
    result = bake(tmp_path, {})
    assert result.returncode == 0, result.output
    assert (result.project / "serverless.yml").is_file()
    assert "GCP flavour" not in result.output
    gcp = [path.format(package="casino_backend") for path in manifest["providers"]["gcp"]["files"]]
    assert [path for path in gcp if (result.project / path).exists()] == []


def test_every_jurisdiction_with_an_aws_region_rule_has_one_for_gcp(manifest: dict[str, Any]) -> None:
    for name, rule in manifest["jurisdictions"].items():
        if "aws" in rule["allowed_regions"]:
            assert rule["allowed_regions"].get("gcp"), name
        warning = rule.get("residency", {}).get("transfer_warning")
        if warning and "aws" in warning["regions"]:
            assert warning["regions"].get("gcp"), name


def test_gcp_regions_are_refused_outside_the_jurisdiction(tmp_path: Path) -> None:
    result = bake(tmp_path, {"cloud_provider": "gcp", "jurisdiction": "mga", "region": "us-central1"})
    assert result.returncode == 1
    assert "- region:" in result.output and "europe-west1" in result.output
    assert list(tmp_path.iterdir()) == []
