"""The template's Python is Python where it sits: checked as written, not only once rendered.

A template file that holds no Jinja statement (`{%`) is read as it is in the template, with only its name
and value placeholders (`{{ cookiecutter.package_name }}`, `{{ cookiecutter.region }}`, ...) written in
from the default answers; the few rendered files (the module registry, the jurisdiction's rules) are taken
as the default answers render them. The tree holds every module's files at once (nothing is pruned), so
ruff and mypy see all modules side by side, as the next maintainer reads them.

Also held here: how much Jinja control flow the template's Python may carry (issue: one structure for
three clouds), and that no shared file asks which provider it is for.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BIN, TEMPLATE_DIR, bake

PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
# A name or value written into a file or a path: the only Jinja a plain Python file may hold.
PLACEHOLDER = re.compile(r"\{\{\s*cookiecutter\.(\w+)\s*\}\}")
CONDITIONAL = re.compile(r"\{%-?\s*(?:if|elif)\s")
# At most this many Jinja conditionals in all the template's Python files (the registry, the
# jurisdiction's values): everything else is a module's own file or a registry lookup.
MAX_CONDITIONALS = 40
# Rendered files (they hold `{%`): a short list, each for a reason.
MAX_RENDERED_FILES = 6


def template_python() -> list[Path]:
    return sorted(path for path in PROJECT_TEMPLATE.rglob("*.py") if "node_modules" not in path.parts)


def rendered(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return "{%" in text or "{{" in PLACEHOLDER.sub("", text)


def provider_files() -> set[str]:
    """Template paths (relative to the project) that the manifest gives to one provider."""
    manifest = yaml.safe_load((TEMPLATE_DIR / "manifest.yaml").read_text(encoding="utf-8"))
    named: set[str] = set()
    for provider in manifest["providers"].values():
        for entry in provider.get("files", []):
            named.add(entry.replace("{package}", "{{cookiecutter.package_name}}"))
    return named


def given_to_a_provider(relative: str, named: set[str]) -> bool:
    return any(relative == entry or relative.startswith(entry.rstrip("/") + "/") for entry in named)


def test_jinja_conditionals_in_template_python_are_few() -> None:
    counts = {
        str(path.relative_to(PROJECT_TEMPLATE)): len(CONDITIONAL.findall(path.read_text(encoding="utf-8")))
        for path in template_python()
    }
    total = sum(counts.values())
    busiest = sorted(((n, name) for name, n in counts.items() if n), reverse=True)[:10]
    print(f"Jinja conditionals in template Python: {total} (limit {MAX_CONDITIONALS}); busiest: {busiest}")
    assert total <= MAX_CONDITIONALS, busiest


def test_no_shared_python_file_asks_for_the_provider() -> None:
    named = provider_files()
    asking = [
        relative
        for path in template_python()
        if not given_to_a_provider(relative := str(path.relative_to(PROJECT_TEMPLATE)), named)
        and re.search(r"\{%-?\s*(?:if|elif)\b[^%]*cloud_provider", path.read_text(encoding="utf-8"))
    ]
    assert asking == [], f"shared files that branch on the provider (move the code to a provider file): {asking}"


def test_rendered_python_files_are_few() -> None:
    files = [str(path.relative_to(PROJECT_TEMPLATE)) for path in template_python() if rendered(path)]
    print(f"rendered Python files: {len(files)}: {files}")
    assert len(files) <= MAX_RENDERED_FILES, files


@pytest.fixture(scope="module")
def as_it_sits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every template Python file in one tree: as written (placeholders filled in), or as rendered."""
    out = tmp_path_factory.mktemp("template-python")
    default = bake(out / "default")
    assert default.returncode == 0, default.output
    answers: dict[str, Any] = json.loads((default.project / ".cookiecutter.json").read_text(encoding="utf-8"))

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda match: str(answers[match.group(1)]), text)

    tree = out / "tree"
    for path in template_python():
        relative = fill(str(path.relative_to(PROJECT_TEMPLATE)))
        target = tree / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        source = default.project / relative if rendered(path) else None
        if source is not None:
            assert source.exists(), f"{relative} is rendered but the default project has no such file"
            shutil.copyfile(source, target)
        else:
            target.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    for name in ("pyproject.toml",):
        shutil.copyfile(default.project / name, tree / name)
    for data in default.project.rglob("*"):
        # Data files the Python reads (the promotions catalogue, the audit's sources, the API contract).
        if data.suffix in {".json", ".yaml", ".yml"} and "src" in data.relative_to(default.project).parts[:1]:
            target = tree / data.relative_to(default.project)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(data, target)
    return tree


def run(tree: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False, timeout=600)


def test_template_python_passes_ruff_as_it_sits(as_it_sits: Path) -> None:
    result = run(as_it_sits, str(BIN / "ruff"), "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    formatted = run(as_it_sits, str(BIN / "ruff"), "format", "--check", "--no-cache", ".")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_template_python_passes_mypy_as_it_sits(as_it_sits: Path) -> None:
    result = run(as_it_sits, str(BIN / "mypy"), "--no-incremental", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr


# Real stores a cloud cannot offer to the contract suites, with why (the suite runs on memory there and
# the adapter is tested otherwise). None now: GCP's Cloud Storage stores run on fake-gcs-server.
NO_LOCAL_SERVER: dict[tuple[str, str, str], str] = {}


def test_each_clouds_fixtures_for_a_module_offer_the_same_real_stores() -> None:
    """The shared contract suites ask the cloud's tests/support/fixtures_<cloud>_<module>.py for its real
    stores by name (real_ledger_store, ...): every cloud that has such a file for a module offers the same
    names, so a suite that runs on one cloud's store runs on the others'."""
    support = PROJECT_TEMPLATE / "tests" / "support"
    offered: dict[str, dict[str, set[str]]] = {}
    for path in support.glob("fixtures_*_*.py"):
        cloud, module = path.stem.removeprefix("fixtures_").split("_", 1)
        names = set(re.findall(r"^def (real_\w+)\(", path.read_text(encoding="utf-8"), re.MULTILINE))
        offered.setdefault(module, {})[cloud] = names | {
            name for (c, m, name) in NO_LOCAL_SERVER if (c, m) == (cloud, module)
        }
    assert offered.get("wallet", {}).keys() >= {"aws", "gcp", "azure"}, offered
    differing = {module: clouds for module, clouds in offered.items() if len(set(map(frozenset, clouds.values()))) > 1}
    assert differing == {}, differing
