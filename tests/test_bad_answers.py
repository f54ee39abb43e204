"""Bad answers are refused with a message naming the field, and leave nothing behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from combinations import UNSUPPORTED
from conftest import bake


@pytest.mark.parametrize(("answers", "field"), [case[1:] for case in UNSUPPORTED],
                         ids=[case[0] for case in UNSUPPORTED])
def test_bad_answer_is_refused_naming_the_field(tmp_path: Path, answers: dict[str, Any], field: str) -> None:
    result = bake(tmp_path, answers)
    assert result.returncode != 0, result.output
    assert field in result.output
    assert list(tmp_path.iterdir()) == [], "a refused generation must leave no directory"


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
