"""Template syntax in answers reaches the hooks and files as text, never as code."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import bake_from_replay

JINJA_NAME = "Casino {{ 7 * 7 }} {% if true %}x{% endif %}"
JINJA_DESCRIPTION = "{# not a comment #} {% raw %} \"\"\" ''' \\ end"


def test_template_syntax_in_answers_is_kept_verbatim(tmp_path: Path) -> None:
    result = bake_from_replay(tmp_path, {
        "project_name": JINJA_NAME, "project_slug": "casino-jinja", "package_name": "casino_jinja",
        "description": JINJA_DESCRIPTION,
    })
    assert result.returncode == 0, result.output
    recorded = json.loads((result.project / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert recorded["project_name"] == JINJA_NAME
    assert recorded["description"] == JINJA_DESCRIPTION
    for path in result.project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert "49" not in (result.project / "README.md").read_text(encoding="utf-8").splitlines()[0]


def test_newline_in_an_answer_cannot_inject_code_into_the_hooks(tmp_path: Path) -> None:
    marker = tmp_path / "injected"
    result = bake_from_replay(tmp_path, {
        "project_name": f'x"""\nopen({str(marker)!r}, "w")\n"""',
        "project_slug": "casino-newline",
        "package_name": "casino_newline",
    })
    assert result.returncode != 0
    assert "project_name" in result.output
    assert not marker.exists()
    assert list((tmp_path / "out").iterdir()) == []
