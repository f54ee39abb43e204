"""Shared helpers of the template's tests: bake a project from answers, run commands in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


@dataclass
class Bake:
    """The outcome of one cookiecutter run."""

    returncode: int
    output: str
    output_dir: Path
    answers: dict[str, Any]

    @property
    def project(self) -> Path:
        """The generated project's folder (the only entry of the output folder)."""
        entries = [p for p in self.output_dir.iterdir()]
        assert len(entries) == 1, f"expected one project folder, found {entries}"
        return entries[0]


def cli_value(value: Any) -> str:
    """Render an answer the way a user types it on cookiecutter's command line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def bake(output_dir: Path, answers: dict[str, Any] | None = None) -> Bake:
    """Run the real cookiecutter CLI on this template with --no-input and the given answers."""
    answers = answers or {}
    output_dir.mkdir(parents=True, exist_ok=True)
    args = [f"{key}={cli_value(value)}" for key, value in answers.items()]
    result = subprocess.run(
        [PYTHON, "-m", "cookiecutter", str(TEMPLATE_DIR), "--no-input", "-o", str(output_dir), *args],
        capture_output=True, text=True, check=False, timeout=120,
    )
    return Bake(result.returncode, result.stdout + result.stderr, output_dir, answers)


def bake_from_replay(output_dir: Path, answers: dict[str, Any]) -> Bake:
    """Generate from a replay file, so answers reach the hooks verbatim (no prompt, no rendering)."""
    defaults = bake(output_dir / "defaults")
    assert defaults.returncode == 0, defaults.output
    context = json.loads((defaults.project / ".cookiecutter.json").read_text(encoding="utf-8"))
    template = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    context.update({key: value for key, value in template.items() if key.startswith("_")})
    context.update(answers)
    replay = output_dir / "replay.json"
    replay.write_text(json.dumps({"cookiecutter": context}), encoding="utf-8")
    target = output_dir / "out"
    target.mkdir()
    result = subprocess.run(
        [PYTHON, "-m", "cookiecutter", str(TEMPLATE_DIR), "--replay-file", str(replay), "-o", str(target)],
        capture_output=True, text=True, check=False, timeout=120,
    )
    return Bake(result.returncode, result.stdout + result.stderr, target, answers)


def run(cmd: list[str], cwd: Path, timeout: int = 600, env: dict[str, str] | None = None) -> str:
    """Run a command in a generated project; fail the test with its output if it fails."""
    full_env = {**os.environ, **(env or {})}
    full_env["PATH"] = f"{BIN}{os.pathsep}{full_env.get('PATH', '')}"
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=full_env,
                            check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(cmd)} failed in {cwd}:\n{output[-6000:]}"
    return output


@pytest.fixture(scope="session")
def manifest() -> dict[str, Any]:
    """The template's one manifest."""
    sys.path.insert(0, str(TEMPLATE_DIR))
    from local_extensions import load_manifest

    return load_manifest()
