"""The docs say what the code does: every make target is listed by `make help` and documented."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Run by other targets before they touch the cloud or package, never by hand.
# Steps other targets run first (not commands of their own): make install runs install-cloud.
PRECONDITIONS = {"check-stage", "check-region", "install-cloud"}
MAKE = shutil.which("make") or "make"


def phony_targets() -> set[str]:
    """Every target the Makefile and the cloud's file it includes (*.mk) declare .PHONY (the commands)."""
    makefile = "".join(
        path.read_text(encoding="utf-8") for path in (PROJECT_ROOT / "Makefile", *PROJECT_ROOT.glob("*.mk"))
    )
    return {name for line in re.findall(r"^\.PHONY:(.*)$", makefile, re.MULTILINE) for name in line.split()}


def make_help() -> list[str]:
    result = subprocess.run(
        [MAKE, "--no-print-directory", "help"],
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
    cloud = ("aws.mk", "terraform.mk", "package.json")  # the cloud's own files: those this project has
    for name in ("Makefile", "requirements-dev.txt", ".python-version", *cloud):
        if (PROJECT_ROOT / name).exists():
            (tmp_path / name).write_bytes((PROJECT_ROOT / name).read_bytes())
    asked = tmp_path / "asked"
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\necho "$@" >> {asked}\n', encoding="utf-8")
    python.chmod(0o755)
    (tmp_path / "shared_node_modules").mkdir()
    result = subprocess.run(
        [MAKE, "--no-print-directory", "install", f"PYTHON={python}", "NODE_MODULES=shared_node_modules"],
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


def test_readme_links_the_going_live_guide() -> None:
    assert "(docs/going-live.md)" in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


LOCAL_DEVELOPMENT = PROJECT_ROOT / "docs" / "local-development.md"


def demo_table_steps() -> list[str]:
    """The first column of the journey table in docs/local-development.md, in order."""
    section = LOCAL_DEVELOPMENT.read_text(encoding="utf-8").split("## `make demo`", 1)[1]
    table = section.split("| step | what it checks |", 1)[1].split("\n\n", 1)[0]
    return [row.split("|")[1].strip() for row in table.strip().splitlines()[1:]]


def test_the_demo_table_lists_the_demos_steps_in_order() -> None:
    from importlib import import_module

    from tools.demo import Journey, journey_steps
    from tools.local import PROVIDER
    from tools.modules import contributions

    # The steps are built, not run: a Journey without a local run is enough to read their titles.
    journey = Journey.__new__(Journey)
    # Modules whose steps this cloud's local run leaves out (GCP's DEMO_LEFT_OUT) are not in its table.
    journey.parts = contributions(getattr(import_module(f"tools.{PROVIDER}"), "DEMO_LEFT_OUT", {}))
    steps = journey_steps(journey)
    assert demo_table_steps() == [title for title, _ in steps]
