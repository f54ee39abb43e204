"""Write this project for another region (or jurisdiction) into a sibling folder, keeping your edits.

One stack per jurisdiction and region: the new region gets its own folder (and repository), and this
one stays as it is. The copy is updated with cruft's three-way update from the recorded answers
(.cruft.json), so code you changed here survives while the region-bound lines change.

    python -m tools.regenerate --region eu-central-1 [--jurisdiction mga] [--stage prod] [--into DIR]
                               [--template URL-or-path]

A project made with plain cookiecutter has no .cruft.json yet: with --template (where the template
lives) it is linked first (`cruft link`, from the answers in .cookiecutter.json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tools.residency import problems, provider_regions, region_block

# Build output and environments are not part of the project's source.
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-*",
    "node_modules",
    ".serverless",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    "bench-results.json",
)


def fail(message: str) -> int:
    """Print why nothing was done and return the exit code."""
    print(f"regenerate: {message}", file=sys.stderr)
    return 1


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The template's own explanation of a refused answer, without cruft's traceback."""
    output = result.stdout + result.stderr
    start = output.find("Cannot generate the project")
    if start >= 0:
        end = output.find("Stopping generation", start)
        return output[start : end if end > 0 else None].rstrip()
    return "\n".join(output.strip().splitlines()[-20:])


def cruft(*args: str) -> subprocess.CompletedProcess[str]:
    """Run cruft with this interpreter."""
    return subprocess.run(  # noqa: S603 - a fixed argv of this interpreter, no shell
        [sys.executable, "-m", "cruft", *args], check=False, capture_output=True, text=True
    )


def link_command(template: str) -> str:
    """The one command that links a plain-cookiecutter project to its template."""
    return f'cruft link {template} --no-input --extra-context "$(cat .cookiecutter.json)"'


def link(project: Path, template: str | None) -> str | None:
    """Link a project made with plain cookiecutter (no .cruft.json); return why not, or None."""
    if (project / ".cruft.json").exists():
        return None
    if not template:
        return (
            "this project was made with plain cookiecutter (no .cruft.json), so cruft cannot find its "
            "template. Say where it lives (its git URL or a local clone), e.g. "
            "make regenerate REGION=... COOKIECUTTER_TEMPLATE=<template>, "
            f"or link it once yourself:\n  {link_command('<template>')}"
        )
    answers = (project / ".cookiecutter.json").read_text(encoding="utf-8")
    print(f"Linking this project to {template} (cruft link, from the answers in .cookiecutter.json)")
    result = cruft("link", template, "--project-dir", str(project), "--no-input", "--extra-context", answers)
    if result.returncode != 0 or not (project / ".cruft.json").exists():
        return f"cruft link failed:\n{refusal(result)}"
    return None


def main(argv: list[str] | None = None) -> int:
    """Copy the project next to itself and update the copy to the new answers."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--region", required=True)
    parser.add_argument("--jurisdiction")
    parser.add_argument(
        "--stage", help="check the new project's region for this stage and print its deploy command"
    )
    parser.add_argument("--into", type=Path, help="target folder (default: ../<slug>-<region>)")
    parser.add_argument("--template", help="where the template lives, to link a plain-cookiecutter project")
    args = parser.parse_args(argv)

    project = Path.cwd()
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    changes = {"region": args.region}
    if args.jurisdiction:
        changes["jurisdiction"] = args.jurisdiction
    if all(answers.get(key) == value for key, value in changes.items()):
        return fail(f"the project is already for {', '.join(f'{k}={v}' for k, v in changes.items())}")
    if not args.jurisdiction or args.jurisdiction == answers.get("jurisdiction"):
        # Same jurisdiction: its residency rule is in this project, so refuse before copying anything.
        found = problems(region_block(project / provider_regions().CONFIG), args.region)
        if found:
            return fail("; ".join(found))
    target = (args.into or project.parent / f"{answers['project_slug']}-{args.region}").resolve()
    if target.exists():
        return fail(f"{target} exists; remove it or choose another folder with --into")
    not_linked = link(project, args.template)
    if not_linked:
        return fail(not_linked)

    print(f"Copying {project.name} to {target} (without environments and build output)")
    shutil.copytree(project, target, ignore=NOT_COPIED, symlinks=True)
    print(f"Updating the copy with cruft: {json.dumps(changes)}")
    result = cruft(
        "update",
        "--project-dir",
        str(target),
        "--skip-apply-ask",
        "--allow-untracked-files",
        "--variables-to-update",
        json.dumps(changes),
    )
    if result.returncode != 0 or not (target / ".cookiecutter.json").exists():
        shutil.rmtree(target, ignore_errors=True)
        return fail(f"the template refused the new answers; nothing was written.\n{refusal(result)}")
    updated = json.loads((target / ".cookiecutter.json").read_text(encoding="utf-8"))
    if any(updated.get(key) != value for key, value in changes.items()):
        shutil.rmtree(target, ignore_errors=True)
        return fail(
            f"cruft did not apply the new answers; nothing was written:\n{result.stdout}{result.stderr}"
        )
    found = problems(region_block(target / provider_regions().CONFIG))
    if found:
        shutil.rmtree(target, ignore_errors=True)
        return fail("; ".join(found))
    print(f"Done: {target} is the project for {args.region} (jurisdiction {updated['jurisdiction']}).")
    stage = args.stage or "dev"
    print(f"Next: cd {target} && git init && make install && make test && make deploy STAGE={stage}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
