"""The generated project's conventions and supply-chain files: each present, valid and wired up.

Parses each file (YAML, JSON, TOML, CloudFormation, CODEOWNERS, .editorconfig), lints the OIDC
bootstrap template with cfn-lint, runs the project's own pre-commit hooks on a fresh project, and
checks the template's own workflow and Dependabot config.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BIN, PYTHON, TEMPLATE_DIR, bake, run
from packaging.metadata import Metadata

SCAN_BIN = Path(os.environ.get("TEMPLATE_SCAN_BIN", ""))
ANSWERS = {"project_name": "Lucky Seven", "author_name": "Cage Team", "author_email": "cage@example.org"}
CONVENTION_FILES = [
    ".pre-commit-config.yaml", ".editorconfig", ".devcontainer/devcontainer.json", ".github/dependabot.yml",
    ".github/CODEOWNERS", "SECURITY.md", "CONTRIBUTING.md", "CHANGELOG.md", "bootstrap/github-oidc.yml",
    "docs/dependencies.md", "docs/deploying.md", "LICENSE",
]
# Each license choice, and a sentence only its text has.
LICENSE_TEXTS = {
    "Proprietary": "No\nlicence to use, copy, modify",
    "MIT": "Permission is hereby granted, free of charge",
    "Apache-2.0": "Apache License\n                           Version 2.0, January 2004",
    "BSD-3-Clause": "Neither the name of the copyright holder nor the names of its",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    baked = bake(tmp_path_factory.mktemp("conventions"), ANSWERS)
    assert baked.returncode == 0, baked.output
    return baked.project


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_every_convention_file_is_generated_without_template_syntax(project: Path) -> None:
    for name in CONVENTION_FILES:
        text = (project / name).read_text(encoding="utf-8")
        assert text.strip(), name
        assert not re.search(r"\{\{|\{%|(?<![.\w])cookiecutter\.\w", text), f"{name} keeps template syntax"


def test_pre_commit_runs_ruff_format_mypy_and_the_secret_detector(project: Path) -> None:
    config = _yaml(project / ".pre-commit-config.yaml")
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "mypy", "detect-secrets"} <= hooks.keys()
    # The hooks run the tools the dev lock pins, from the project's .venv: nothing of their own to pin.
    for hook in hooks.values():
        assert hook["language"] == "system" and hook["entry"].startswith(".venv/bin/"), hook


def test_pre_commit_passes_on_a_fresh_project(project: Path, tmp_path: Path) -> None:
    """The hooks as a developer runs them: git, `pre-commit run --all-files`, the project's .venv."""
    venv = Path(os.environ.get("PYTHON", PYTHON)).parent.parent
    if not (venv / "bin" / "pre-commit").exists() or not (venv / "bin" / "detect-secrets-hook").exists():
        pytest.fail(f"{venv} lacks pre-commit or detect-secrets: install the project's requirements-dev.txt")
    (project / ".venv").symlink_to(venv)
    try:
        env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit"), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
        run(["git", "init", "-q"], project, env=env)
        run(["git", "add", "-A"], project, env=env)
        output = run([str(venv / "bin" / "pre-commit"), "run", "--all-files"], project, timeout=600, env=env)
        for hook in ("ruff check", "ruff format", "mypy", "detect-secrets"):
            assert re.search(rf"{hook}\.+Passed", output), output
    finally:
        (project / ".venv").unlink()
        subprocess.run(["rm", "-rf", str(project / ".git")], check=True)


def test_the_secret_detector_of_the_hooks_finds_a_planted_key(project: Path, tmp_path: Path) -> None:
    planted = tmp_path / "settings.py"
    planted.write_text('WEBHOOK = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"\n')
    result = subprocess.run([str(BIN / "detect-secrets-hook"), str(planted)], capture_output=True, text=True,
                            check=False)
    assert result.returncode != 0 and "Hex High Entropy String" in result.stdout, result.stdout


def test_devcontainer_runs_the_projects_own_install(project: Path) -> None:
    config = json.loads((project / ".devcontainer" / "devcontainer.json").read_text(encoding="utf-8"))
    python_version = (project / ".python-version").read_text(encoding="utf-8").strip()
    assert config["image"].endswith(f":{python_version}")
    assert config["postCreateCommand"].startswith("make install")
    assert any("features/node" in feature for feature in config["features"])


def test_editorconfig_and_codeowners_parse(project: Path) -> None:
    section = None
    settings: dict[str | None, dict[str, str]] = {}
    for line in (project / ".editorconfig").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(("#", ";")):
            continue
        if match := re.fullmatch(r"\[(.+)\]", line):
            section = match.group(1)
            continue
        key, _, value = line.partition("=")
        assert _, f".editorconfig: not key = value: {line!r}"
        settings.setdefault(section, {})[key.strip()] = value.strip()
    assert settings[None] == {"root": "true"}
    assert settings["Makefile"]["indent_style"] == "tab"
    assert settings["*.py"]["indent_size"] == "4"

    owners = [line.split() for line in (project / ".github" / "CODEOWNERS").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert owners[0] == ["*", ANSWERS["author_email"]]
    assert all(len(entry) >= 2 for entry in owners), owners


def test_pyproject_carries_the_answers(project: Path) -> None:
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["authors"] == [{"name": ANSWERS["author_name"], "email": ANSWERS["author_email"]}]
    python_version = (project / ".python-version").read_text(encoding="utf-8").strip()
    assert f"Programming Language :: Python :: {python_version}" in metadata["classifiers"]
    assert metadata["readme"] == "README.md"
    assert ANSWERS["author_email"] in (project / "SECURITY.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("choice", list(LICENSE_TEXTS))
def test_each_license_choice_writes_its_text_and_valid_pyproject_metadata(
    choice: str, tmp_path: Path
) -> None:
    baked = bake(tmp_path, {**ANSWERS, "license": choice})
    assert baked.returncode == 0, baked.output
    text = (baked.project / "LICENSE").read_text(encoding="utf-8")
    assert LICENSE_TEXTS[choice] in text
    others = [other for other, phrase in LICENSE_TEXTS.items() if other != choice and phrase in text]
    assert others == [], f"LICENSE of {choice} also holds the text of {others}"
    # Apache-2.0 is the license's text verbatim; the others name the owner in their copyright line.
    assert (ANSWERS["author_name"] in text) is (choice != "Apache-2.0")
    assert text.endswith(".\n") and "{" not in text

    project = tomllib.loads((baked.project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    spdx = "LicenseRef-Proprietary" if choice == "Proprietary" else choice
    assert project["license"] == spdx and project["license-files"] == ["LICENSE"]
    # Core metadata as a build backend would write it, validated by packaging (PEP 639 rules).
    metadata = Metadata.from_raw({
        "metadata_version": "2.4", "name": project["name"], "version": project["version"],
        "license_expression": project["license"], "license_files": project["license-files"],
    })
    assert metadata.license_expression == spdx
    assert not any(c.startswith("License ::") for c in project["classifiers"]), "PEP 639: no license classifier"


def test_dependabot_groups_pip_npm_and_actions(project: Path) -> None:
    config = _yaml(project / ".github" / "dependabot.yml")
    assert config["version"] == 2
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert updates.keys() == {"pip", "npm", "github-actions"}
    for update in updates.values():
        assert update["directory"] == "/" and update["groups"], update


def _trust_conditions(template: dict[str, Any]) -> dict[str, Any]:
    (statement,) = template["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions: dict[str, Any] = statement["Condition"]["StringEquals"]
    return conditions


def test_the_oidc_bootstrap_trusts_only_the_stages_github_environment(project: Path) -> None:
    template = _yaml(project / "bootstrap" / "github-oidc.yml")
    conditions = _trust_conditions(template)
    assert conditions["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert conditions["token.actions.githubusercontent.com:sub"] == {
        "Fn::Sub": "repo:${Repository}:environment:${Stage}"
    }
    assert template["Parameters"]["Stage"]["AllowedPattern"] == "[a-z][a-z0-9]{0,6}"
    assert template["Outputs"]["DeployRoleArn"]
    docs = (project / "docs" / "deploying.md").read_text(encoding="utf-8")
    assert "bootstrap/github-oidc.yml" in docs and "Required reviewers" in docs
    if not (SCAN_BIN / "cfn-lint").exists():
        pytest.fail("TEMPLATE_SCAN_BIN is unset: run the tests with `make test`")
    result = subprocess.run([str(SCAN_BIN / "cfn-lint"), "bootstrap/github-oidc.yml"], cwd=project,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_workflow_deploys_prod_only_from_the_default_branch(project: Path) -> None:
    workflow = _yaml(project / ".github" / "workflows" / "deploy.yml")
    job = workflow["jobs"]["deploy"]
    assert job["environment"] == "${{ inputs.stage || 'dev' }}"
    guard = job["steps"][0]
    assert "env.STAGE == 'prod'" in guard["if"] and "default_branch" in guard["if"]
    assert "exit 1" in guard["run"]
    # Values from the event reach the shell as variables, never spliced into the script.
    assert "${{" not in guard["run"]


def test_the_template_runs_its_quick_tier_on_every_push_and_everything_on_the_default_branch() -> None:
    workflow = _yaml(TEMPLATE_DIR / ".github" / "workflows" / "test.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "push" in triggers and "pull_request" in triggers
    assert not any(isinstance(trigger, dict) and ("branches" in trigger or "paths" in trigger)
                   for trigger in triggers.values()), "every push and pull request"
    quick, full = workflow["jobs"]["quick"], workflow["jobs"]["full"]
    assert "if" not in quick
    assert [step["run"] for step in quick["steps"] if "run" in step] == ["make test-quick"]
    assert full["if"] == (
        "${{ github.event_name == 'push' && github.ref_name == github.event.repository.default_branch }}"
    )
    assert [step["run"] for step in full["steps"] if "run" in step] == ["make test"]
    makefile = (TEMPLATE_DIR / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test-quick: .*\n.*pytest -m quick", makefile, re.MULTILINE)


def test_the_templates_own_pins_receive_update_pull_requests() -> None:
    dependabot = _yaml(TEMPLATE_DIR / ".github" / "dependabot.yml")
    directories = {(u["package-ecosystem"], u["directory"]) for u in dependabot["updates"]}
    project = "/{{cookiecutter.project_slug}}"
    assert {("pip", "/"), ("pip", project), ("npm", project), ("npm", f"{project}/tools/azurite"),
            ("github-actions", "/")} <= directories
    # What Dependabot reads there, as it is in the template (unrendered): plain JSON, lock in step.
    package = json.loads((TEMPLATE_DIR / project[1:] / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((TEMPLATE_DIR / project[1:] / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]


def test_the_template_installs_every_environment_from_a_hash_checked_lock() -> None:
    makefile = (TEMPLATE_DIR / "Makefile").read_text(encoding="utf-8")
    installs = [line for line in makefile.splitlines() if "pip install" in line]
    assert installs and all("--require-hashes" in line for line in installs), installs
    for lock in ("requirements-test.txt", "{{cookiecutter.project_slug}}/requirements-dev.txt"):
        text = (TEMPLATE_DIR / lock).read_text(encoding="utf-8")
        assert "--hash=sha256:" in text and "uv pip compile --universal" in text, lock
