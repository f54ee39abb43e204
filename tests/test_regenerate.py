"""`make regenerate` in a project made with plain cookiecutter, and its refusals before any copy."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import PYTHON, bake, template_as_git_repo


def regenerate(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # As a user runs it: not as a sub-make of `make test` (which would print make's directory lines).
    env = {name: value for name, value in os.environ.items() if name not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    return subprocess.run(["make", "regenerate", *args, f"PYTHON={PYTHON}"], cwd=project, env=env,
                          capture_output=True, text=True, check=False, timeout=300)


def test_plain_cookiecutter_project_is_linked_then_regenerated(tmp_path: Path) -> None:
    template = template_as_git_repo(tmp_path / "template")
    baked = bake(tmp_path / "projects", {"jurisdiction": "mga", "region": "eu-south-1"})
    assert baked.returncode == 0, baked.output
    project = baked.project
    assert not (project / ".cruft.json").exists()

    result = regenerate(project, "REGION=eu-west-3", f"COOKIECUTTER_TEMPLATE={template}")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Linking this project" in result.stdout
    assert (project / ".cruft.json").exists()
    sibling = tmp_path / "projects" / "casino-backend-eu-west-3"
    answers = json.loads((sibling / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert (answers["region"], answers["jurisdiction"]) == ("eu-west-3", "mga")


def test_plain_cookiecutter_project_without_a_template_gets_the_one_link_command(tmp_path: Path) -> None:
    baked = bake(tmp_path / "projects")
    result = regenerate(baked.project, "REGION=eu-west-3")
    assert result.returncode != 0
    assert 'cruft link <template> --no-input --extra-context "$(cat .cookiecutter.json)"' in result.stderr
    assert "Copying" not in result.stdout
    assert sorted(p.name for p in (tmp_path / "projects").iterdir()) == ["casino-backend"]


def test_forbidden_region_is_refused_before_anything_is_copied(tmp_path: Path) -> None:
    baked = bake(tmp_path / "projects", {"jurisdiction": "mga", "region": "eu-south-1"})
    result = regenerate(baked.project, "REGION=us-east-1")
    assert result.returncode != 0
    assert "mga" in result.stderr and "us-east-1" in result.stderr
    assert result.stdout.strip() == "", "refused before printing Copying or linking"
    assert sorted(p.name for p in (tmp_path / "projects").iterdir()) == ["casino-backend"]


# The Terraform flavours keep their region in infra/variables.tf (the region variable's default, checked
# by its validation too): `make regenerate` reads it there, and writes the sibling for the new region.
TERRAFORM_FLAVOURS = [
    pytest.param("gcp", "europe-west8", "europe-west3", id="gcp"),
    pytest.param("azure", "italynorth", "westeurope", id="azure"),
]


@pytest.mark.parametrize(("provider", "region", "other"), TERRAFORM_FLAVOURS)
def test_a_terraform_flavour_is_regenerated_for_another_region(
    tmp_path: Path, provider: str, region: str, other: str
) -> None:
    template = template_as_git_repo(tmp_path / "template")
    baked = bake(tmp_path / "projects", {"cloud_provider": provider, "jurisdiction": "mga", "region": region})
    assert baked.returncode == 0, baked.output

    result = regenerate(baked.project, f"REGION={other}", f"COOKIECUTTER_TEMPLATE={template}")

    assert result.returncode == 0, result.stdout + result.stderr
    sibling = tmp_path / "projects" / f"casino-backend-{other}"
    answers = json.loads((sibling / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert (answers["cloud_provider"], answers["region"]) == (provider, other)
    variables = (sibling / "infra" / "variables.tf").read_text(encoding="utf-8")
    assert f'default     = "{other}"' in variables
    assert f'default     = "{region}"' not in variables


@pytest.mark.parametrize(("provider", "region", "other"), TERRAFORM_FLAVOURS)
def test_a_terraform_flavours_forbidden_region_is_refused_before_anything_is_copied(
    tmp_path: Path, provider: str, region: str, other: str
) -> None:
    baked = bake(tmp_path / "projects", {"cloud_provider": provider, "jurisdiction": "mga", "region": region})
    result = regenerate(baked.project, "REGION=us-east4" if provider == "gcp" else "REGION=eastus")
    assert result.returncode != 0
    assert "not allowed for jurisdiction 'mga'" in result.stderr
    assert result.stdout.strip() == "", "refused before printing Copying or linking"
    assert sorted(p.name for p in (tmp_path / "projects").iterdir()) == ["casino-backend"]
