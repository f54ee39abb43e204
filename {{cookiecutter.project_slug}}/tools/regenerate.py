"""Write this project for another region (or jurisdiction) into a sibling folder, keeping your edits.

One stack per jurisdiction and region: the new region gets its own folder (and repository), and this
one stays as it is. The copy is updated with cruft's three-way update from the recorded answers
(.cruft.json), so code you changed here survives while the region-bound lines change.

    python -m tools.regenerate --region eu-central-1 [--jurisdiction mga] [--stage prod] [--into DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tools.residency import problems, region_block

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
    args = parser.parse_args(argv)

    project = Path.cwd()
    if not (project / ".cruft.json").exists():
        return fail(
            "this project has no .cruft.json, so cruft cannot find its template. Link it once with "
            "`cruft link <template-url>` (answers are in .cookiecutter.json), commit, and run this again."
        )
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    changes = {"region": args.region}
    if args.jurisdiction:
        changes["jurisdiction"] = args.jurisdiction
    if all(answers.get(key) == value for key, value in changes.items()):
        return fail(f"the project is already for {', '.join(f'{k}={v}' for k, v in changes.items())}")
    target = (args.into or project.parent / f"{answers['project_slug']}-{args.region}").resolve()
    if target.exists():
        return fail(f"{target} exists; remove it or choose another folder with --into")

    print(f"Copying {project.name} to {target} (without environments and build output)")
    shutil.copytree(project, target, ignore=NOT_COPIED, symlinks=True)
    print(f"Updating the copy with cruft: {json.dumps(changes)}")
    result = subprocess.run(  # noqa: S603 - a fixed argv of this interpreter, no shell
        [
            sys.executable,
            "-m",
            "cruft",
            "update",
            "--project-dir",
            str(target),
            "--skip-apply-ask",
            "--allow-untracked-files",
            "--variables-to-update",
            json.dumps(changes),
        ],
        check=False,
        capture_output=True,
        text=True,
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
    found = problems(region_block(target / "serverless.yml"))
    if found:
        shutil.rmtree(target, ignore_errors=True)
        return fail("; ".join(found))
    print(f"Done: {target} is the project for {args.region} (jurisdiction {updated['jurisdiction']}).")
    stage = args.stage or "dev"
    print(f"Next: cd {target} && git init && make install && make test && make deploy STAGE={stage}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
