"""Prune what was not chosen, record the answers, and print the next steps."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

# Answers and the manifest arrive as JSON string literals (see pre_gen_project.py).
ANSWERS = json.loads({{ cookiecutter | tojson | tojson }})
MANIFEST = json.loads({{ manifest | tojson | tojson }})


def expand(path: str) -> Path:
    """Turn a manifest path into a path inside the generated project."""
    return Path(path.format(package=ANSWERS["package_name"]))


def paths_to_prune() -> list[Path]:
    """List the files and folders of modules and providers that were not chosen."""
    doomed = []
    # A file several modules name (the bonus wallet of promotions and leaderboards) stays while one is on.
    kept = {path for name, spec in MANIFEST["modules"].items() if ANSWERS[f"module_{name}"] is True
            for path in spec["files"]}
    for name, spec in MANIFEST["modules"].items():
        if ANSWERS[f"module_{name}"] is not True:
            doomed.extend(expand(path) for path in spec["files"] if path not in kept)
    # Files of two modules together (a test of sessions with the wallet): kept only when all are on.
    for spec in MANIFEST.get("together", []):
        if not all(ANSWERS[f"module_{name}"] is True for name in spec["modules"]):
            doomed.extend(expand(path) for path in spec["files"])
    # A file the chosen provider names too (tools/infra_check.py of both Terraform flavours) stays.
    chosen = set(MANIFEST["providers"][ANSWERS["cloud_provider"]]["files"])
    for name, spec in MANIFEST["providers"].items():
        if name != ANSWERS["cloud_provider"]:
            doomed.extend(expand(path) for path in spec["files"] if path not in chosen)
    return doomed


def prune(paths: list[Path]) -> None:
    """Delete the given paths, then any folder they leave empty."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for folder in sorted((p for p in Path(".").rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):
            folder.rmdir()


def move_into_place() -> None:
    """Move the chosen provider's folders where the project expects them (infra-azure/ becomes infra/)."""
    for source, target in MANIFEST["providers"][ANSWERS["cloud_provider"]].get("moves", {}).items():
        if expand(target).exists():
            shutil.rmtree(expand(target))
        shutil.move(expand(source), expand(target))


def record_answers() -> None:
    """Write the prompt answers to .cookiecutter.json so the project can be regenerated."""
    answers = {key: value for key, value in ANSWERS.items() if not key.startswith("_")}
    Path(".cookiecutter.json").write_text(json.dumps(answers, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def planned_modules() -> list[str]:
    """Modules that were chosen but are not built in this template version."""
    return [
        name for name, spec in MANIFEST["modules"].items()
        if ANSWERS[f"module_{name}"] is True and spec["status"] != "available"
    ]


def left_out_workers() -> list[str]:
    """A note on each chosen module's workers that are not deployed: a module they need is off (`needs`).

    The hybrid mode's scheduled jobs: reconciliation and the ledger export read the hosted wallet's
    ledger, which the operator's own platform holds there.
    """
    modules = MANIFEST["modules"]
    stand_ins = {spec["replaces"]: name for name, spec in modules.items()
                 if spec.get("replaces") and ANSWERS[f"module_{name}"] is True}
    notes = []
    for name, spec in modules.items():
        if ANSWERS[f"module_{name}"] is not True:
            continue
        for worker in spec.get("workers", []):
            missing = [need for need in worker.get("needs", []) if ANSWERS[f"module_{need}"] is not True]
            if not missing:
                continue
            why = "; ".join(
                f"module_{stand_ins[need]} stands in for module_{need}, and the operator's own platform holds "
                f"what module_{need} would keep here (the ledger, the balances): run this job there "
                "(docs/operator-wallet.md)"
                if need in stand_ins else f"answer yes to module_{need} to deploy it"
                for need in missing
            )
            notes.append(f"Note: {name}: {worker['function']} ({worker['description'].lower()}) is not "
                         f"deployed: it needs {' and '.join(f'module_{need}' for need in missing)}; {why}.")
    return notes


def where_to_cd() -> str:
    """The project folder as the user's shell reaches it (this hook runs inside the folder)."""
    here = str(Path.cwd())
    # PWD is the user's shell's folder: cookiecutter changes its own folder, not the variable.
    shell = os.environ.get("PWD")
    relative = os.path.relpath(here, Path(shell).resolve()) if shell else here
    return relative if len(relative) < len(here) else here


def main() -> int:
    """Prune, record, and tell the user what to do next."""
    doomed = paths_to_prune()
    print(f"Pruning {len(doomed)} path(s) of modules and providers that were not chosen.")
    prune(doomed)
    move_into_place()
    record_answers()
    planned = planned_modules()
    if planned:
        print(
            "Note: these modules are planned but not built in this template version, so nothing was "
            f"generated for them: {', '.join(planned)}."
        )
    for note in left_out_workers():
        print(note)
    slug = ANSWERS["project_slug"]
    provider = MANIFEST["providers"][ANSWERS["cloud_provider"]]
    print(
        f"\nCreated {slug} ({ANSWERS['cloud_provider']}, {ANSWERS['region']}, "
        f"jurisdiction {ANSWERS['jurisdiction']}). Next:\n"
        f"  cd {where_to_cd()}\n"
        + "".join(f"  {step}\n" for step in provider.get("next_steps", []))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
