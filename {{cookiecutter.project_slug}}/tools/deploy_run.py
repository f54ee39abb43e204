"""make deploy's runner for the Terraform flavours (tools/gcp/deploy.py, tools/azure/deploy.py).

A deploy is a list of steps, each a title and the commands it runs with their real arguments. The
runner prints `[n/m] <title>` and `$ <command>` before each, and with `dry_run` runs nothing: that list
is what the tests check. A step that asks first (Terraform's apply of the plan just shown) waits for
`yes` unless `auto_approve`. The first command that fails stops the deploy: the message names the step,
the command and its exit status, the steps done before it, and what to do next.

The preflight's local checks (ids, stage, archives, variables file) run before any step: a refusal
prints every problem with its fix and exits 2 with nothing run.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from tools.project import PROJECT_ROOT

REFUSED = 2
FAILED = 1
STAGE = re.compile(r"[a-z][a-z0-9]{0,6}")
# What the project's archives are made from: an archive older than one of these is stale.
SOURCES = ("main.py", "host.json")  # with src/ and the requirements*.txt locks


@dataclass
class Step:
    """One step: its title, its commands (argv lists), an optional question before it, a hint on failure."""

    title: str
    commands: list[list[str]] = field(default_factory=list)
    ask: str = ""
    # Commands whose output is not shown (credential checks print tokens).
    quiet: bool = False
    on_failure: str = ""


def shown(argv: Sequence[str]) -> str:
    """A command as a shell would take it."""
    return shlex.join(argv)


def missing_tools(tools: Iterable[str]) -> list[str]:
    """The command-line tools of `tools` not on PATH."""
    return [tool for tool in tools if shutil.which(tool) is None]


def newest_source(root: Path = PROJECT_ROOT) -> tuple[float, Path]:
    """The newest modification time among the files the archives are made from, and that file."""
    files = [root / name for name in SOURCES if (root / name).is_file()]
    files += [p for p in (root / "src").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    files += sorted(root.glob("requirements*.txt"))
    newest = max(files, key=lambda file: file.stat().st_mtime)
    return newest.stat().st_mtime, newest


def required_variables(infra: Path, given: Sequence[str]) -> list[str]:
    """infra/variables.tf's variables without a default, but those the deploy passes itself."""
    text = (infra / "variables.tf").read_text(encoding="utf-8")
    required = []
    for block in re.split(r"^}\s*$", text, flags=re.MULTILINE):
        name = re.search(r'^variable "(\w+)"', block.strip())
        if name and not re.search(r"^\s*default\s*=", block, re.MULTILINE) and name.group(1) not in given:
            required.append(name.group(1))
    return required


def archive_problems(archives: Sequence[Path], root: Path = PROJECT_ROOT) -> list[str]:
    """Each archive that is missing or older than the sources, with the fix (make package)."""
    problems = [
        f"{_relative(path, root)}: missing; run `make package` first"
        for path in archives
        if not path.is_file()
    ]
    present = [path for path in archives if path.is_file()]
    if present:
        newest, source = newest_source(root)
        stale = [path for path in present if path.stat().st_mtime < newest]
        problems += [
            f"{_relative(path, root)}: older than {_relative(source, root)}; run `make package` first"
            for path in stale
        ]
    return problems


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def refuse(problems: Sequence[str], out: TextIO) -> int:
    """Print every problem of the preflight; nothing was run."""
    print("make deploy: refused before any command ran:", file=out)
    for problem in problems:
        print(f"  - {problem}", file=out)
    return REFUSED


def run_steps(
    steps: Sequence[Step],
    *,
    dry_run: bool,
    auto_approve: bool,
    out: TextIO | None = None,
    run: Callable[..., subprocess.CompletedProcess[bytes]] = subprocess.run,
    ask: Callable[[str], str] = input,
) -> int:
    """Print and (unless dry_run) run each step's commands in order; stop at the first failure."""
    out = out or sys.stdout
    total = len(steps)
    done: list[str] = []
    for number, step in enumerate(steps, start=1):
        print(f"[{number}/{total}] {step.title}", file=out, flush=True)
        if step.ask:
            if dry_run:
                print(f"  asks: {step.ask} [yes/no] (AUTO_APPROVE=1 answers yes)", file=out)
            elif auto_approve:
                print(f"  {step.ask} yes (AUTO_APPROVE=1)", file=out)
            else:
                try:
                    answer = ask(f"  {step.ask} [yes/no] ")
                except EOFError:
                    answer = ""
                if answer.strip().lower() != "yes":
                    print(
                        f"make deploy: stopped at step {number} of {total}, not confirmed. {_done(done)}",
                        file=out,
                    )
                    return FAILED
        for argv in step.commands:
            print(f"  $ {shown(argv)}", file=out, flush=True)
            if dry_run:
                continue
            if step.quiet:
                result = run(argv, cwd=PROJECT_ROOT, check=False, capture_output=True)
            else:
                result = run(argv, cwd=PROJECT_ROOT, check=False)
            if result.returncode != 0:
                print(
                    f"make deploy: step {number} of {total} ({step.title}) failed: `{shown(argv)}` exited "
                    f"{result.returncode}. {_done(done)} {step.on_failure}".rstrip(),
                    file=out,
                )
                return REFUSED if number == 1 else FAILED
        done.append(f"{number} {step.title}")
    if dry_run:
        print("Dry run: nothing was run (drop DRY_RUN=1 to deploy).", file=out)
    else:
        print(f"make deploy: all {total} steps done.", file=out)
    return 0


def _done(done: list[str]) -> str:
    return f"Done before it: {'; '.join(done)}." if done else "Nothing was done before it."


def tool_notes(tools: Sequence[str], dry_run: bool) -> tuple[list[str], list[str]]:
    """(problems, notes): a missing tool refuses a deploy; a dry run only notes it."""
    missing = missing_tools(tools)
    messages = [f"{tool}: not on PATH; install it (infra/README.md, Deploying)" for tool in missing]
    return (
        ([], [f"note: {m} (a real deploy would stop here)" for m in messages]) if dry_run else (messages, [])
    )


def variable_file_problem(path: Path, stage: str, required: Sequence[str]) -> list[str]:
    """The stage's variables file must exist when Terraform has variables without a default to set there."""
    if path.is_file() or not required:
        return []
    return [
        f"{_relative(path, PROJECT_ROOT)}: missing; create it with stage {stage}'s values of "
        f"{', '.join(required)} (VAR_FILE=<path> names another file)"
    ]


def variable_file_flags(path: Path) -> list[str]:
    """The -var-file flag for the stage's file when there is one (absolute: terraform runs in infra/)."""
    return [f"-var-file={path.resolve()}"] if path.is_file() else []


def stage_problems(stage: str) -> list[str]:
    """The stage's name must fit in every resource name the Terraform builds from it."""
    if STAGE.fullmatch(stage):
        return []
    return [f"STAGE={stage!r}: use 1-7 lower-case letters or digits, starting with a letter"]


def preflight(
    *,
    ids: str,
    stage: str,
    var_file: Path,
    given: Sequence[str],
    archives: Sequence[Path],
    tools: Sequence[str],
    dry_run: bool,
    infra: Path,
    out: TextIO | None = None,
) -> bool:
    """The local checks once the ids are valid: archives, the variables file, the tools. Prints every
    problem and returns False (the deploy is refused), or prints what was checked and returns True."""
    out = out or sys.stdout
    missing, notes = tool_notes(tools, dry_run)
    problems = [
        *archive_problems(archives),
        *variable_file_problem(var_file, stage, required_variables(infra, given)),
        *missing,
    ]
    if not archives:
        problems.append("nothing is built to deploy (make package writes no archive)")
    if problems:
        refuse(problems, out)
        return False
    print(
        f"preflight: {ids}, STAGE and {len(archives)} archives newer than the sources checked"
        + ("" if dry_run else f", {' and '.join(tools)} on PATH"),
        file=out,
    )
    for note in notes:
        print(note, file=out)
    return True
