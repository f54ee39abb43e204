"""At a terminal, the prompts come in a useful order and a wrong answer is refused right after it is typed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from conftest import TEMPLATE_DIR, answer_at_a_terminal, visible_prompts

PROMPTS = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))["__prompts__"]


def refused_naming(output: str, field: str) -> None:
    """The run ended on one refusal message naming `field`, with no traceback."""
    assert f"- {field}:" in output, output
    assert "Traceback" not in output, output
    assert output.count("Error: Cannot generate the project") == 1, output


def test_bad_slug_is_refused_right_after_it_is_typed(tmp_path: Path) -> None:
    # Before: all 19 prompts were answered before the slug was refused (the hook ran after the last).
    terminal = answer_at_a_terminal(tmp_path, {"project_slug": "Bad Slug"})
    assert terminal.returncode == 1, terminal.output
    assert terminal.asked == ["project_name", "project_slug"]
    refused_naming(terminal.output, "project_slug")
    assert "package_name" not in terminal.output, "one typo, one refusal"
    assert list(tmp_path.iterdir()) == []


def test_unknown_provider_is_refused_right_after_the_provider_prompt(tmp_path: Path) -> None:
    # Every provider of the manifest generates now: an unknown one is refused.
    terminal = answer_at_a_terminal(tmp_path, {"cloud_provider": "oracle"})
    assert terminal.returncode == 1, terminal.output
    assert terminal.asked[-1] == "cloud_provider"
    refused_naming(terminal.output, "cloud_provider")
    assert "'oracle' is not one of aws, azure, gcp" in terminal.output


def test_module_without_what_it_needs_is_refused_right_after_its_prompt(tmp_path: Path) -> None:
    terminal = answer_at_a_terminal(tmp_path, {"module_wallet": "n"})
    assert terminal.returncode == 1, terminal.output
    assert terminal.asked[-1] == "module_responsible_gaming"
    refused_naming(terminal.output, "module_responsible_gaming")
    assert "=true" not in terminal.output, "a y/n prompt is answered yes or no"


def test_region_prompt_follows_the_jurisdiction_and_lists_its_regions(tmp_path: Path) -> None:
    terminal = answer_at_a_terminal(tmp_path, {"jurisdiction": "us-nj", "region": "eu-west-1"})
    assert terminal.returncode == 1, terminal.output
    assert terminal.asked[-1] == "region"
    listed = terminal.output.split("Regions us-nj allows on aws:")[1].split("[")[0]
    assert "us-east-1" in listed and "us-east-2" in listed and "eu-west-1" not in listed
    refused_naming(terminal.output, "region")


def test_default_answers_at_a_terminal_generate_the_project(tmp_path: Path) -> None:
    terminal = answer_at_a_terminal(tmp_path, {})
    assert terminal.returncode == 0, terminal.output
    assert terminal.asked == visible_prompts()
    assert (tmp_path / "casino-backend" / "serverless.yml").is_file()


def test_prompts_go_provider_jurisdiction_region_then_modules() -> None:
    order = visible_prompts()
    modules = [key for key in order if key.startswith("module_")]
    assert order.index("cloud_provider") < order.index("jurisdiction") < order.index("region")
    assert order.index("region") < min(order.index(key) for key in modules)


def test_each_module_prompt_says_what_it_needs(manifest: dict[str, Any]) -> None:
    words = {"wallet": "the wallet", "sessions": "sessions"}
    for name, spec in manifest["modules"].items():
        text = PROMPTS[f"module_{name}"]
        needs = re.search(r"\(needs ([^)]*)\)", text)
        if not spec["requires"]:
            assert needs is None, text
            continue
        assert needs, text
        assert sorted(w for dep, w in words.items() if w in needs.group(1)) == sorted(
            words[dep] for dep in spec["requires"]
        ), text


def test_every_prompt_is_checked_before_the_next_one() -> None:
    template = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    entries = list(template)
    following = {key: entries[entries.index(key) + 1] for key in visible_prompts()}
    assert {key: after for key, after in following.items()
            if not (after.startswith("__") and "check_answers(cookiecutter" in template[after])} == {}


def test_options_reference_lists_the_prompts_in_the_order_they_are_asked() -> None:
    reference = (TEMPLATE_DIR / "docs" / "02-options.md").read_text(encoding="utf-8")
    table = reference.split("| prompt |", 1)[1].split("\n\n", 1)[0]
    documented = [name for row in table.splitlines() for name in re.findall(r"`(\w+)`", row.split("|")[1])
                  if row.startswith("| `")]
    assert documented == visible_prompts()
