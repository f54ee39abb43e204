"""The docs say what the code does: every make target is listed by `make help` and documented."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Run by other targets before they touch the cloud or package, never by hand.
PRECONDITIONS = {"check-stage", "check-region"}


def phony_targets() -> set[str]:
    """Every target the Makefile declares .PHONY (the commands, not files it builds)."""
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    return {name for line in re.findall(r"^\.PHONY:(.*)$", makefile, re.MULTILINE) for name in line.split()}


def make_help() -> list[str]:
    result = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [line for line in result.stdout.splitlines() if line.startswith("  make ")]


def docs_text() -> str:
    pages = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def test_every_make_target_is_in_make_help() -> None:
    listed = {line.split()[1] for line in make_help()}
    assert listed == phony_targets() - PRECONDITIONS


def test_make_help_descriptions_start_in_one_column_after_the_longest_name() -> None:
    lines = make_help()
    longest = max(len(line.split()[1]) for line in lines)
    starts = {len(line) - len(line.split(maxsplit=2)[2]) for line in lines}
    assert starts == {len("  make ") + longest + 2}, lines


def test_every_make_target_is_documented() -> None:
    documented = docs_text()
    missing = [
        target
        for target in sorted(phony_targets() - PRECONDITIONS)
        if not re.search(rf"make {re.escape(target)}(?![\w-])", documented)
    ]
    assert missing == [], "document these in README.md or docs/"


def test_make_install_says_what_it_installs_and_how_long_it_took(tmp_path: Path) -> None:
    # A stand-in Python that records what pip is asked, in a copy of the files `make install` reads.
    for name in ("Makefile", "requirements-dev.txt", "package.json", ".python-version"):
        (tmp_path / name).write_bytes((PROJECT_ROOT / name).read_bytes())
    asked = tmp_path / "asked"
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\necho "$@" >> {asked}\n', encoding="utf-8")
    python.chmod(0o755)
    (tmp_path / "shared_node_modules").mkdir()
    result = subprocess.run(
        ["make", "--no-print-directory", "install", f"PYTHON={python}", "NODE_MODULES=shared_node_modules"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "--quiet" not in asked.read_text(encoding="utf-8"), "pip shows each package it installs"
    assert re.search(r"^==> .*requirements-dev\.txt", result.stdout, re.MULTILINE), result.stdout
    assert re.search(r"^==> .* took \d+ s$", result.stdout, re.MULTILINE), result.stdout
