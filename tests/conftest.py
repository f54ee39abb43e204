"""Shared helpers of the template's tests: bake a project from answers, run commands in it."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
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


def baked_once(
    cache: dict[str, Bake], case_id: str, answers: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A combination's project, generated once per test process and `cache` (a test file's own)."""
    if case_id not in cache:
        cache[case_id] = bake(tmp_path_factory.mktemp(case_id), answers)
    result = cache[case_id]
    assert result.returncode == 0, result.output
    return result.project


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


def template_as_git_repo(repo: Path) -> Path:
    """A git repository holding the template as it is in this working tree (cruft clones its HEAD)."""
    shutil.copytree(TEMPLATE_DIR, repo, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".venv-*", ".cache", "build", "__pycache__", ".pytest_cache", ".ruff_cache"))
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "template"]):
        subprocess.run([*git, *command], cwd=repo, check=True, capture_output=True)
    return repo


def visible_prompts() -> list[str]:
    """The prompts cookiecutter asks, in order (`_`-private entries are not asked)."""
    template = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    return [key for key in template if not key.startswith("_")]


@dataclass
class TerminalRun:
    """What a user saw while answering cookiecutter's prompts at a terminal."""

    returncode: int
    output: str
    asked: list[str] = field(default_factory=list)


PROMPT_NUMBER = re.compile(r"\[(\d+)/\d+\]")


def answer_at_a_terminal(output_dir: Path, typed: dict[str, str], timeout: float = 120) -> TerminalRun:
    """Run the real cookiecutter CLI on a pseudo-terminal; type `typed[prompt]` or Enter at each prompt."""
    prompts = visible_prompts()
    leader, follower = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    process = subprocess.Popen(
        [PYTHON, "-m", "cookiecutter", str(TEMPLATE_DIR), "-o", str(output_dir)],
        stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True,
    )
    os.close(follower)
    seen, terminal, deadline = b"", TerminalRun(-1, ""), time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.3)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # the terminal closes when cookiecutter exits
                    break
                if not chunk:
                    break
                seen += chunk
                continue
            if process.poll() is not None:
                break
            text = seen.decode(errors="replace")
            numbers = PROMPT_NUMBER.findall(text)
            # A prompt waits for input once its line ends in ":" and nothing more arrives.
            if numbers and text.rstrip().endswith(":"):
                prompt = prompts[int(numbers[-1]) - 1]
                if not terminal.asked or terminal.asked[-1] != prompt:
                    terminal.asked.append(prompt)
                    os.write(leader, (typed.get(prompt, "") + "\r").encode())
        else:
            raise AssertionError(f"cookiecutter did not finish in {timeout} s:\n{seen.decode(errors='replace')}")
    finally:
        if process.poll() is None:
            process.kill()
        terminal.returncode = process.wait()
        os.close(leader)
    terminal.output = seen.decode(errors="replace").replace("\r\n", "\n")
    return terminal


def run(cmd: list[str], cwd: Path, timeout: int = 600, env: dict[str, str] | None = None) -> str:
    """Run a command in a generated project; fail the test with its output if it fails."""
    full_env = {**os.environ, **(env or {})}
    full_env["PATH"] = f"{BIN}{os.pathsep}{full_env.get('PATH', '')}"
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=full_env,
                            check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(cmd)} failed in {cwd}:\n{output[-6000:]}"
    return output


def failures_of(output: str, most: int = 12000) -> str:
    """A failed pytest run's report of its failures and its summary, not the list of every test that passed
    (a verbose run's passes would push the failure out of what a log keeps)."""
    start = output.find("= FAILURES =")
    if start < 0:
        start = output.find("= ERRORS =")
    report = output[output.rfind("\n", 0, start) + 1:] if start >= 0 else output
    return report[-most:]


# The quick tier (`make test-quick`, the inner loop while working on the template): the manifest, the
# prompts and hooks, and one small combination generated, ruff-checked, tested on its own Python, and
# packaged and scanned (`make audit`). `make test` runs everything, mypy included (on a whole project
# it takes as long as the project's own tests).
QUICK_COMBINATION = "aws-usnj-us-east-1-sessions-only-py312"
QUICK_FILES = {"test_manifest.py", "test_bad_answers.py", "test_prompts.py"}
QUICK_COMBINATION_FILES = {"test_generation.py", "test_generated_project.py", "test_audit.py"}
QUICK_LEAVES_OUT = {"test_mypy_is_clean"}


def pytest_configure(config: pytest.Config) -> None:
    """Register the quick tier's marker."""
    config.addinivalue_line("markers", f"quick: the inner loop (`make test-quick`): hooks and {QUICK_COMBINATION}")


# The longest tests (minutes each on 2 cores: a combination's whole generated suite, a `make audit` with
# its package and scanners, a project's own emulator suite, the local run) run first: a worker that
# starts one of them last keeps the run going alone while the other has nothing left (`make test`
# runs with --dist worksteal, which hands an idle worker the other's pending tests, not a running one).
LONGEST_FIRST = ("test_generated_tests_pass", "test_a_terraform_cloud_project_lints_and_passes_its_whole_suite",
                 "test_supported_combination_passes_the_audit",
                 "test_weakened_defaults_fail_the_audit_naming_their_controls",
                 "test_gcp_tests_pass_on_the_emulators_and_functions_framework",
                 "test_pre_commit_passes_on_a_fresh_project", "test_default_project_benchmarks_and_plays_its_demo",
                 "test_azure_tests_pass_on_azurite")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the longest tests first; mark the quick tier's tests."""
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    # A combination's lint runs next to its suite, on the project the three share (a module fixture).
    rank.update(test_ruff_is_clean=0, test_mypy_is_clean=0)
    items.sort(key=lambda item: rank.get(getattr(item, "originalname", item.name), len(rank)))
    for item in items:
        callspec = getattr(item, "callspec", None)
        name = item.path.name
        of_the_combination = name in QUICK_COMBINATION_FILES and callspec and QUICK_COMBINATION in callspec.id
        if name in QUICK_FILES or (of_the_combination and item.originalname not in QUICK_LEAVES_OUT):
            item.add_marker(pytest.mark.quick)


def pytest_report_header() -> list[str]:
    """Say which interpreter runs each python_version's generated tests: 3.14 may not be on this machine."""
    others = dict(item.split("=", 1) for item in os.environ.get("TEMPLATE_PYTHONS", "").split() if item)
    newest = os.environ.get("PYTHON", PYTHON)
    lines = []
    for version in ("3.12", "3.13", "3.14"):
        python = others.get(version, newest)
        actual = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                                capture_output=True, text=True, check=False).stdout.strip() or "?"
        note = "" if actual.startswith(f"{version}.") else f" ({version} is not on this machine: the newest here)"
        lines.append(f"  python_version {version}: generated tests run on Python {actual}{note}")
    return ["generated projects:", *lines]


@pytest.fixture(scope="session")
def manifest() -> dict[str, Any]:
    """The template's one manifest."""
    sys.path.insert(0, str(TEMPLATE_DIR))
    from local_extensions import load_manifest

    return load_manifest()
