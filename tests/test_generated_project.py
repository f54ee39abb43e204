"""Each supported combination lints clean and passes its own test suite."""

from __future__ import annotations

import json
import os
import re

import pytest
from combinations import HOSTILE, SUPPORTED
from conftest import BIN, PYTHON, Bake, bake, run

CASES = SUPPORTED + HOSTILE[:1]
# Interpreters of the other Python versions this machine has (set by `make test`): "3.12=/path ...".
OTHER_PYTHONS = dict(item.split("=", 1) for item in os.environ.get("TEMPLATE_PYTHONS", "").split() if item)


def python_for(project: Bake) -> str:
    """The project's chosen Python when this machine has it, else the newest one here."""
    answers = json.loads((project.project / ".cookiecutter.json").read_text(encoding="utf-8"))
    return OTHER_PYTHONS.get(answers["python_version"], PYTHON)


@pytest.fixture(params=CASES, ids=[case[0] for case in CASES], scope="module")
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Bake:
    case_id, answers = request.param
    result = bake(tmp_path_factory.mktemp(case_id), answers)
    assert result.returncode == 0, result.output
    return result


def test_ruff_is_clean(project: Bake) -> None:
    run([str(BIN / "ruff"), "check", "--no-cache", "."], project.project)
    run([str(BIN / "ruff"), "format", "--check", "--no-cache", "."], project.project)


def test_mypy_is_clean(project: Bake) -> None:
    run([str(BIN / "mypy"), "--no-incremental"], project.project)


def test_generated_tests_pass(project: Bake) -> None:
    python = python_for(project)
    output = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project.project)
    version = run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], project.project)
    print(f"generated tests ran on Python {version.strip()}")
    summary = output.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 10, summary
    assert "skipped" not in summary and "failed" not in summary, summary


@pytest.fixture(scope="module")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Bake:
    result = bake(tmp_path_factory.mktemp("wallet-load"), dict(SUPPORTED)["aws-default"])
    assert result.returncode == 0, result.output
    return result


def test_the_wallets_rounds_hold_under_concurrent_clients_on_the_moto_server(default_project: Bake) -> None:
    """The generated wallet's load test (marked `load`, which a project's `make test` leaves out).

    8 clients x 100 mixed requests here, about 30 s; the full 16 x 300 takes about 4 minutes
    (docs/local-development.md of a generated project gives the measured figures).
    """
    output = run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "load"],
        default_project.project,
        env={"WALLET_LOAD": "8x100"},
    )
    summary = output.strip().splitlines()[-1]
    assert re.search(r"\b1 passed\b", summary), summary
    assert "skipped" not in summary and "failed" not in summary, summary
