"""Each supported combination lints clean and passes its own test suite."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from combinations import CLOUD_WHOLE, HOSTILE, LONGEST_SLUG, SUPPORTED
from conftest import BIN, PYTHON, Bake, bake, run

CASES = SUPPORTED + HOSTILE[:1]
# A hostile answer's free text (the project's name and description) lands only in these files, as
# comments, docstrings, documentation and metadata; its package name is an ordinary slug, which the
# supported combinations cover (the longest included). So a hostile combination runs the generated
# tests that read those files, not the whole suite (about 40 s of CPU instead of 5 minutes):
# test_hostile_text_lands_only_where_its_tests_read fails when the text reaches another file.
FREE_TEXT_FILES = {
    "src/{package}/__init__.py": "tests/unit",
    "src/{package}/api/openapi.yaml": "tests/api/test_contract.py",
    "tests/api/contract.py": "tests/api/test_contract.py",
    "Makefile": "tests/test_docs.py",
    "README.md": "tests/test_docs.py",
    "CHANGELOG.md": "tests/test_docs.py",
    "docs/index.md": "tests/test_docs.py",
    "mkdocs.yml": "tests/test_docs.py",
    "package.json": "tests/test_dependencies.py",
    "pyproject.toml": "tests/test_aws_package_code.py",
    "serverless.yml": "tests/test_audit.py",
    ".cookiecutter.json": "tests/test_residency.py",
}
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


def package_name(project: Bake) -> str:
    return str(json.loads((project.project / ".cookiecutter.json").read_text(encoding="utf-8"))["package_name"])


def generated_tests_for(project: Bake) -> list[str]:
    """Every generated test, or for a hostile combination the tests that read its free text."""
    if project.answers not in [answers for _, answers in HOSTILE]:
        return []
    return sorted(set(FREE_TEXT_FILES.values()))


def test_ruff_is_clean(project: Bake) -> None:
    run([str(BIN / "ruff"), "check", "--no-cache", "."], project.project)
    run([str(BIN / "ruff"), "format", "--check", "--no-cache", "."], project.project)


# Combinations whose modules no longest-slug combination has: linted with the longest slug too (a few
# seconds each), since long import lines and calls are where a name breaks ruff's line length.
LONGEST_SLUG_LINT = [case for case in SUPPORTED if "hybrid" in case[0]]


@pytest.mark.parametrize(("case_id", "answers"), LONGEST_SLUG_LINT, ids=[case[0] for case in LONGEST_SLUG_LINT])
def test_ruff_is_clean_with_the_longest_slug(
    case_id: str, answers: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = bake(tmp_path_factory.mktemp(case_id), {**answers, "project_slug": LONGEST_SLUG})
    assert result.returncode == 0, result.output
    run([str(BIN / "ruff"), "check", "--no-cache", "."], result.project)
    run([str(BIN / "ruff"), "format", "--check", "--no-cache", "."], result.project)


def test_mypy_is_clean(project: Bake) -> None:
    run([str(BIN / "mypy"), "--no-incremental"], project.project)


# The wallet's concurrency test (8 clients x 200 requests, about a minute) runs whole in the default
# project; its code is the same in every combination (no jurisdiction's guard takes part), so the
# others run it at 4 x 100, which still races every id.
SMALLER_CONCURRENCY = {"WALLET_CONCURRENCY": "4x100"}


def test_generated_tests_pass(project: Bake) -> None:
    python = python_for(project)
    default = project.answers == dict(SUPPORTED)["aws-default"]
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *generated_tests_for(project)]
    output = run(command, project.project, env=None if default else SMALLER_CONCURRENCY)
    version = run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], project.project)
    print(f"generated tests ran on Python {version.strip()}")
    summary = output.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 10, summary
    assert "skipped" not in summary and "failed" not in summary, summary


@pytest.mark.parametrize(("case_id", "answers"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_text_lands_only_where_its_tests_read(
    case_id: str, answers: dict[str, str], default_project: Bake, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The files that carry a hostile answer's free text are among those FREE_TEXT_FILES names.

    Files quote the text as their syntax needs, so the probes are its words that neither a file of the
    default project nor the project's own slug has: each file that holds one of them carries the text.
    """
    result = bake(tmp_path_factory.mktemp(case_id), answers)
    assert result.returncode == 0, result.output
    package = package_name(result)
    default_text = "\n".join(text_files(default_project.project).values())
    words = set(re.findall(r"\w{4,}", " ".join(answers.get(key, "") for key in ("project_name", "description"))))
    # A word of the project's slug is everywhere its package name is (case matters: "Brien" is not "o_brien").
    names = f"{result.project.name} {package}"
    probes = {word for word in words if word not in default_text and word not in names}
    assert probes, f"{case_id}: no word of its free text is distinctive; the probe is wrong"
    carrying = {name for name, content in text_files(result.project).items()
                if any(word in content for word in probes)}
    known = {name.format(package=package) for name in FREE_TEXT_FILES}
    assert carrying, f"{case_id}: no file carries {sorted(probes)}; the probe is wrong"
    assert carrying <= known, f"the free text now also lands in {sorted(carrying - known)}: add their tests"
    for test_path in set(FREE_TEXT_FILES.values()):
        assert (result.project / test_path).exists(), test_path


def text_files(project: Path) -> dict[str, str]:
    """Every file of a generated project by its relative path, read as text."""
    return {path.relative_to(project).as_posix(): path.read_text(encoding="utf-8", errors="replace")
            for path in project.rglob("*") if path.is_file()}


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


@pytest.mark.parametrize(("case_id", "answers", "cloud"), CLOUD_WHOLE, ids=[case[0] for case in CLOUD_WHOLE])
def test_a_terraform_cloud_project_lints_and_passes_its_whole_suite(
    case_id: str, answers: dict[str, object], cloud: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A GCP or Azure project lints clean and passes every test it has, on its cloud's environment (the
    dev lock and the cloud's lock: .venv-gcp, .venv-azure) and local servers, none skipped.

    The files the cloud's own template test runs on its project are left out here (`ran_elsewhere`).
    """
    needs = [cloud["python"], *cloud["env"].values()]
    missing = [name for name in needs if not os.environ.get(name)]
    assert not missing, f"{', '.join(missing)} not set: `make test` sets them (the template Makefile's TEST_ENV)"
    result = bake(tmp_path_factory.mktemp(case_id), answers)
    assert result.returncode == 0, result.output
    run([str(BIN / "ruff"), "check", "--no-cache", "."], result.project)
    run([str(BIN / "ruff"), "format", "--check", "--no-cache", "."], result.project)
    run([str(BIN / "mypy"), "--no-incremental"], result.project)
    python = os.environ[cloud["python"]]
    env = {name: os.environ[variable] for name, variable in cloud["env"].items()}
    ignored = [f"--ignore={path}" for path in cloud["ran_elsewhere"]]
    # --show-capture=no: a failure's own report (a fuzz case's falsifying example) is what the output's tail
    # keeps, not the log lines the test captured.
    output = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--show-capture=no", *ignored],
                 result.project, timeout=1200, env={**SMALLER_CONCURRENCY, **env})
    summary = output.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 250, summary  # 281 in the smallest (Azure, sessions only)
    assert "skipped" not in summary and "failed" not in summary and "error" not in summary, summary

