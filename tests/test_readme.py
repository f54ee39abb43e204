"""The README's commands run as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from conftest import BIN, TEMPLATE_DIR, template_as_git_repo

README = (TEMPLATE_DIR / "README.md").read_text(encoding="utf-8")


def commands_under(heading: str) -> list[str]:
    """The command lines of the first code block after a heading (comments dropped)."""
    section = README.split(heading, 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.DOTALL)
    assert block, heading
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_generate_command_runs_as_written_in_a_checkout(tmp_path: Path) -> None:
    checkout = template_as_git_repo(tmp_path / "checkout")
    create = [line for line in commands_under("## Generate your own project") if line.startswith("cruft create")]
    assert create == ['cruft create --output-dir .. "$PWD"']
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PWD": str(checkout)}
    result = subprocess.run(["bash", "-c", f"{create[0]} --no-input"], cwd=checkout, env=env,
                            capture_output=True, text=True, check=False, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    project = tmp_path / "casino-backend"
    assert json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["template"] == str(checkout)
    assert "cd ../casino-backend" in result.stdout, "the next steps name the folder as the shell reaches it"


def test_the_readme_names_the_quick_tier_and_the_gate() -> None:
    assert re.search(r"^ *make test-quick$", README, re.MULTILINE) and re.search(r"^ *make test$", README, re.MULTILINE)
    ci = (TEMPLATE_DIR / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().splitlines()[-1] == "make test", "CI runs the README's gate"


def make_help_lines() -> list[str]:
    result = subprocess.run(["make", "--no-print-directory", "help"], cwd=TEMPLATE_DIR,
                            capture_output=True, text=True, check=True, timeout=60)
    return [line for line in result.stdout.splitlines() if line.startswith("  make ")]


def test_every_make_target_of_the_template_is_in_make_help_and_documented() -> None:
    makefile = (TEMPLATE_DIR / "Makefile").read_text(encoding="utf-8")
    phony = {name for line in re.findall(r"^\.PHONY:(.*)$", makefile, re.MULTILINE) for name in line.split()}
    lines = make_help_lines()
    assert {line.split()[1] for line in lines} == phony
    docs = "\n".join(page.read_text(encoding="utf-8")
                     for page in [TEMPLATE_DIR / "README.md", *sorted((TEMPLATE_DIR / "docs").glob("*.md"))])
    assert [t for t in sorted(phony) if not re.search(rf"make {re.escape(t)}(?![\w-])", docs)] == []


def test_make_help_descriptions_start_in_one_column() -> None:
    lines = make_help_lines()
    longest = max(len(line.split()[1]) for line in lines)
    assert {len(line) - len(line.split(maxsplit=2)[2]) for line in lines} == {len("  make ") + longest + 2}, lines
