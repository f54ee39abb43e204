"""Bad answers are refused with a message naming the field, and leave nothing behind."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from combinations import UNSUPPORTED
from conftest import BIN, bake, bake_from_replay, template_as_git_repo

# A `module_*` value that is not yes/no, given on the command line: cookiecutter itself converts it to a
# boolean, and refuses it with a ValueError naming the variable, before any of the template's code runs,
# so the template cannot word that refusal. At a terminal a yes/no prompt accepts only yes or no.
# (cloud_provider, jurisdiction and license are text prompts checked by the template, for the same reason.)
REFUSED_BY_COOKIECUTTER = {"module-not-a-boolean"}


@pytest.mark.parametrize(("case", "answers", "field"), UNSUPPORTED, ids=[case[0] for case in UNSUPPORTED])
def test_bad_answer_is_refused_naming_the_field(
    tmp_path: Path, case: str, answers: dict[str, Any], field: str
) -> None:
    result = bake(tmp_path, answers)
    assert result.returncode != 0, result.output
    assert list(tmp_path.iterdir()) == [], "a refused generation must leave no directory"
    if case in REFUSED_BY_COOKIECUTTER:
        assert f"variable {field}" in result.output, result.output
        return
    assert f"- {field}" in result.output, result.output
    assert "Traceback" not in result.output, result.output
    assert result.output.startswith("Error: Cannot generate the project"), result.output
    assert "for example:" in result.output


def test_refused_replay_file_prints_the_reason_without_a_traceback(tmp_path: Path) -> None:
    # A replay file skips the prompts, so the pre-generation hook is the gate.
    result = bake_from_replay(tmp_path, {"project_slug": "lucky-casino\n"})
    assert result.returncode != 0, result.output
    assert "- project_slug:" in result.output
    assert "Traceback" not in result.output and "Stopping generation" not in result.output, result.output
    assert list((tmp_path / "out").iterdir()) == []


def test_a_license_outside_the_choices_in_a_replay_file_is_refused(tmp_path: Path) -> None:
    # No LICENSE text exists for it: without the hook's check the project would claim the license
    # in pyproject.toml and ship the proprietary text.
    result = bake_from_replay(tmp_path, {"license": "GPL-3.0-only"})
    assert result.returncode != 0, result.output
    assert "- license: 'GPL-3.0-only' is not one of Proprietary, MIT, Apache-2.0, BSD-3-Clause" in result.output
    assert list((tmp_path / "out").iterdir()) == []


def test_a_slug_mistake_is_reported_once_not_again_on_the_derived_package_name(tmp_path: Path) -> None:
    result = bake(tmp_path, {"project_slug": "Bad Slug", "author_email": "nobody"})
    assert "- project_slug:" in result.output and "- author_email:" in result.output
    assert "package_name" not in result.output and "alert_email" not in result.output, result.output


def test_refusal_gives_an_example_of_a_good_value(tmp_path: Path) -> None:
    result = bake(tmp_path, {"project_slug": "Bad Slug"})
    assert "for example: lucky-star-casino" in result.output


def test_refusal_lists_every_bad_answer_at_once(tmp_path: Path) -> None:
    result = bake(tmp_path, {"project_slug": "Bad Slug", "author_email": "nobody", "region": "mars-1"})
    assert result.returncode != 0
    for field in ("project_slug", "author_email", "region"):
        assert f"- {field}:" in result.output


def test_refusal_leaves_an_existing_output_folder_untouched(tmp_path: Path) -> None:
    keep = tmp_path / "other-project" / "keep.txt"
    keep.parent.mkdir()
    keep.write_text("mine", encoding="utf-8")
    result = bake(tmp_path, {"region": "mars-1"})
    assert result.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-project"]
    assert keep.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(("answers", "field"), [
    ({"project_slug": "a"}, "project_slug"),
    # Text prompts, so cookiecutter's choice check (a ValueError through cruft's typer) never sees them.
    ({"jurisdiction": "xx"}, "jurisdiction"),
], ids=["slug", "jurisdiction"])
def test_cruft_create_refuses_in_one_message_without_a_traceback(
    tmp_path: Path, answers: dict[str, str], field: str
) -> None:
    # cruft's command line (typer) prints a traceback for any exception; the refusal must not be one.
    template = template_as_git_repo(tmp_path / "template")
    out = tmp_path / "projects"
    result = subprocess.run(
        [str(BIN / "cruft"), "create", str(template), "--no-input", "--output-dir", str(out),
         "--extra-context", json.dumps(answers)],
        capture_output=True, text=True, check=False, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert output.startswith("Error: Cannot generate the project"), output
    assert f"- {field}:" in output and "Traceback" not in output, output
    assert not out.exists() or list(out.iterdir()) == []
