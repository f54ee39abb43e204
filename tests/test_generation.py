"""Every supported combination generates a complete, clean, self-consistent project."""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
import types
from pathlib import Path
from typing import Any

import pytest
from combinations import HOSTILE, SUPPORTED
from conftest import TEMPLATE_DIR, Bake, bake

LEFTOVER_TAG = re.compile(r"\{\{ ?cookiecutter\.|\{%-? ?(if|for|endif|endfor|raw|set) ")
# A YAML loader taught CloudFormation's short tags (written so that this file does not match it).
LOADER_DEFINITION = re.compile(r"\.add_(?:multi_)?constructor\(")
TEXT_SUFFIXES = {".py", ".md", ".yml", ".yaml", ".json", ".toml", ".txt", ".cfg", ".ini", ""}


def cfn_yaml(project: Path) -> types.ModuleType:
    """The generated project's own CloudFormation YAML reader (tools/cfn_yaml.py): the one loader."""
    path = project / "tools" / "cfn_yaml.py"
    spec = importlib.util.spec_from_file_location(f"cfn_yaml_of_{project.parent.name}", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

_BAKED: dict[str, Bake] = {}


@pytest.fixture(params=SUPPORTED + HOSTILE, ids=[case[0] for case in SUPPORTED + HOSTILE])
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Bake:
    """Generate each combination once per test process."""
    case_id, answers = request.param
    if case_id not in _BAKED:
        _BAKED[case_id] = bake(tmp_path_factory.mktemp(case_id), answers)
    result = _BAKED[case_id]
    assert result.returncode == 0, result.output
    return result


def text_files(project: Path) -> list[Path]:
    """Every text file of a generated project."""
    return [p for p in project.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES]


def test_no_template_syntax_survives(baked: Bake) -> None:
    leftovers = [
        str(path.relative_to(baked.project))
        for path in text_files(baked.project)
        if LEFTOVER_TAG.search(path.read_text(encoding="utf-8")) and "template-syntax" not in str(baked.answers)
    ]
    assert leftovers == []


def test_every_config_file_parses(baked: Bake) -> None:
    reader = cfn_yaml(baked.project)
    parsed = 0
    for path in text_files(baked.project):
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".yml", ".yaml"):
            reader.load(text)
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".toml":
            tomllib.loads(text)
        else:
            continue
        parsed += 1
    assert parsed >= 4


def test_python_files_compile(baked: Bake) -> None:
    for path in baked.project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_files_of_modules_not_chosen_are_pruned(baked: Bake, manifest: dict[str, Any]) -> None:
    answers = json.loads((baked.project / ".cookiecutter.json").read_text(encoding="utf-8"))
    package = answers["package_name"]
    # A module's file of another cloud (infra/modules/<module> on GCP) goes with that cloud's files.
    chosen = manifest["providers"][answers["cloud_provider"]]
    other_clouds = [path.rstrip("/") for cloud, spec in manifest["providers"].items()
                    if cloud != answers["cloud_provider"] for path in spec["files"] if path not in chosen["files"]]
    moves = chosen.get("moves", {})
    for name, spec in manifest["modules"].items():
        for pattern in spec["files"]:
            exists = (baked.project / pattern.format(package=package)).exists()
            # A file several modules name stays while any of them is on.
            owners = [other for other, its in manifest["modules"].items() if pattern in its["files"]]
            # Another cloud's path where the chosen cloud moved its own folder (an Azure project's
            # infra/modules/wallet is Azure's): that folder is checked through its source path.
            if any(pattern.startswith(target + "/") for target in moves.values()):
                continue
            cloud_pruned = any(pattern == path or pattern.startswith(path + "/") for path in other_clouds)
            expected = any(answers[f"module_{owner}"] for owner in owners) and not cloud_pruned
            # A folder the chosen cloud moves into place (infra-azure/ is an Azure project's infra/).
            for source, target in moves.items():
                if pattern.startswith(source + "/"):
                    exists = (baked.project / target / pattern.removeprefix(source + "/")).exists()
            assert exists is expected, f"{pattern} of module {name}"


def test_answers_are_recorded_without_private_values(baked: Bake) -> None:
    recorded = json.loads((baked.project / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert not [key for key in recorded if key.startswith("_")]
    for key, value in baked.answers.items():
        assert recorded[key] == value, key


def test_stack_is_named_after_the_slug_and_region(baked: Bake) -> None:
    answers = json.loads((baked.project / ".cookiecutter.json").read_text(encoding="utf-8"))
    config = cfn_yaml(baked.project).load_file(baked.project / "serverless.yml")
    assert config["service"] == answers["project_slug"]
    assert config["provider"]["region"] == "${self:custom.region.name}"
    assert config["custom"]["region"]["name"] == answers["region"]
    assert config["provider"]["runtime"] == f"python{answers['python_version']}"


def test_node_lock_pins_exactly_what_package_json_asks(baked: Bake) -> None:
    """`make install` runs `npm ci`: the lock must name the project and its exact pins, nothing else."""
    package = json.loads((baked.project / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((baked.project / "package-lock.json").read_text(encoding="utf-8"))
    root = lock["packages"][""]
    assert lock["name"] == root["name"] == package["name"] == baked.project.name
    assert root["devDependencies"] == package["devDependencies"]
    for name, version in package["devDependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first, second = bake(tmp_path / "a"), bake(tmp_path / "b")
    assert first.returncode == second.returncode == 0, first.output + second.output

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(first.project) == tree(second.project)


def test_one_cloudformation_yaml_loader_serves_the_project_and_these_tests() -> None:
    """serverless.yml's short tags are read one way: by the project's tools/cfn_yaml.py, nowhere else."""
    project = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    sources = [*project.rglob("*.py"), *(TEMPLATE_DIR / "tests").rglob("*.py"),
               *(TEMPLATE_DIR / "tools").rglob("*.py"), *(TEMPLATE_DIR / "hooks").rglob("*.py")]
    defining = sorted(str(path.relative_to(TEMPLATE_DIR)) for path in sources
                      if LOADER_DEFINITION.search(path.read_text(encoding="utf-8")))
    assert defining == ["{{cookiecutter.project_slug}}/tools/cfn_yaml.py"]


# The scheduled jobs by what they read: the sessions' jobs run wherever the module is on; the jobs of the
# hosted wallet's ledger (manifest.yaml, a worker's `needs: [wallet]`) only with the hosted wallet, so the
# hybrid mode (the operator's platform holds the ledger) deploys none of them, nor their resources or files.
SESSION_JOBS = {"sessionCleanup": "session_cleanup", "retentionPurge": "retention_purge"}
LEDGER_JOBS = {"reconciliation": "reconciliation", "dataExport": "data_export"}
LEDGER_JOB_RESOURCES = ("Reconciliation", "DataExport", "LedgerExport")


def test_scheduled_jobs_deploy_only_the_jobs_whose_modules_are_on(baked: Bake) -> None:
    answers = json.loads((baked.project / ".cookiecutter.json").read_text(encoding="utf-8"))
    config = cfn_yaml(baked.project).load_file(baked.project / "serverless.yml")
    functions = set(config["functions"])
    resources = set(config["resources"]["Resources"])
    handlers = baked.project / "src" / answers["package_name"] / "handlers"
    expected = {}
    if answers["module_scheduled_jobs"]:
        expected = {**SESSION_JOBS, **(LEDGER_JOBS if answers["module_wallet"] else {})}

    assert functions & {*SESSION_JOBS, *LEDGER_JOBS} == set(expected)
    assert {name for name in LEDGER_JOBS.values() if (handlers / f"{name}.py").exists()} == {
        name for function, name in LEDGER_JOBS.items() if function in expected}
    ledger_resources = {name for name in resources if name.startswith(LEDGER_JOB_RESOURCES)}
    assert bool(ledger_resources) is ("reconciliation" in expected), sorted(ledger_resources)
    assert ("EXPORT_BUCKET_NAME" in config["provider"]["environment"]) is ("dataExport" in expected)


def test_hybrid_mode_runs_the_sessions_jobs_and_says_why_the_ledgers_are_left_out(tmp_path: Path) -> None:
    hybrid = dict(next(answers for case, answers in SUPPORTED if "hybrid" in case))
    assert hybrid["module_scheduled_jobs"] and not hybrid["module_wallet"], "the hybrid combination has its jobs"
    result = bake(tmp_path, hybrid)

    assert result.returncode == 0, result.output
    functions = set(cfn_yaml(result.project).load_file(result.project / "serverless.yml")["functions"])
    assert functions & {*SESSION_JOBS, *LEDGER_JOBS} == set(SESSION_JOBS)
    note = result.output[result.output.index("Note: scheduled_jobs"):].split("\n\n")[0]
    assert "reconciliation" in note and "dataExport" in note and "module_wallet" in note
    assert "operator's own platform holds" in note, note
