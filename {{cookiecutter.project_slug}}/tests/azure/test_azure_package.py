"""tools/azure/package.py: one archive per function app, each indexing its own functions from itself alone.

Each archive is unpacked and its function_app.py imported in a clean interpreter (`python -I`: no
current directory, no PYTHONPATH, no user site) whose path holds the archive and the installed
packages only, so a module the app needs and the archive lacks fails here, not on the platform.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")

from tools.azure import package
from tools.azure.function_apps import SHARED_MODULES, declared, registered

PACKAGE = "{{ cookiecutter.package_name }}"
# Prints what the archive's function_app.py registers, and where the package was imported from.
INDEX = """
import importlib, json, sys
root, package = sys.argv[1], sys.argv[2]
sys.path.insert(0, root)
import function_app
functions = function_app.app.get_functions()
found = dict((f.get_function_name(), f.get_trigger().get_dict_repr()["type"]) for f in functions)
print(json.dumps(dict(functions=found, package=importlib.import_module(package).__file__)))
"""


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    output = tmp_path_factory.mktemp("archives")
    package.build(output)
    return {path.stem: path for path in sorted(output.glob("*.zip"))}


def test_every_app_infra_declares_and_the_code_builds_has_an_archive(archives: dict[str, Path]) -> None:
    assert sorted(archives) == package.apps_to_package()
    assert "api" in archives
    assert set(archives) <= set(declared())


def test_each_archive_indexes_its_app_s_functions_from_itself_alone(
    archives: dict[str, Path], tmp_path: Path
) -> None:
    for app, archive in archives.items():
        root = tmp_path / app
        with zipfile.ZipFile(archive) as opened:
            names = opened.namelist()
            opened.extractall(root)
        assert {"function_app.py", "host.json", "requirements.txt"} <= set(names), app

        result = subprocess.run(
            [sys.executable, "-I", "-c", INDEX, str(root), PACKAGE],
            cwd=tmp_path,
            env={"PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True,
            text=True,
            check=False,
        )

        assert result.returncode == 0, f"{app}: {result.stderr[-2000:]}"
        indexed = json.loads(result.stdout.splitlines()[-1])
        assert Path(indexed["package"]).is_relative_to(root), f"{app} imported the project, not its archive"
        expected = {name: function.binding["type"] for name, function in registered(app).items()}
        assert indexed["functions"] == expected, app


def test_the_archives_are_the_same_bytes_every_time(archives: dict[str, Path], tmp_path: Path) -> None:
    package.build(tmp_path)

    for app, archive in archives.items():
        assert (tmp_path / f"{app}.zip").read_bytes() == archive.read_bytes(), app


def test_a_worker_s_archive_carries_no_api_nor_audit_code_and_each_app_only_its_own_module(
    archives: dict[str, Path],
) -> None:
    for app, archive in archives.items():
        names = zipfile.ZipFile(archive).namelist()
        apps_code = {name for name in names if re.fullmatch(rf"{PACKAGE}/azure_apps/\w+\.py", name)}
        assert apps_code <= {f"{PACKAGE}/azure_apps/{module}.py" for module in {*SHARED_MODULES, app}}, app
        if app != "api":
            assert not [name for name in names if name.startswith(f"{PACKAGE}/api/")], app
        if app != "audit":
            assert f"{PACKAGE}/workers/audit.py" not in names, app


# Imported only where installed: observability.py uses Powertools on AWS (its layer) and logs JSON lines
# without it, as the apps do (tests/azure/test_runtime_lock.py runs it with Powertools hidden).
OPTIONAL_IMPORTS = {"aws_lambda_powertools"}


def test_each_archive_s_requirements_name_every_package_its_code_imports(archives: dict[str, Path]) -> None:
    providers = packages_distributions()
    for app, archive in archives.items():
        with zipfile.ZipFile(archive) as opened:
            pinned = {
                line.split("==")[0].lower().replace("_", "-")
                for line in opened.read("requirements.txt").decode().splitlines()
                if "==" in line and not line.startswith((" ", "#"))
            }
            imported = {
                top
                for name in opened.namelist()
                if name.endswith(".py") and name.startswith(f"{PACKAGE}/")
                for top in _third_party(opened.read(name).decode())
            }
        for top in imported - OPTIONAL_IMPORTS:
            candidates = {dist.lower().replace("_", "-") for dist in providers.get(top, [])}
            assert candidates & pinned, f"{app} imports {top}, which its requirements.txt does not pin"


def _third_party(source: str) -> set[str]:
    """The top-level packages a module imports, neither the standard library nor this package."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        found |= {name.split(".")[0] for name in names}
    return {top for top in found if top not in sys.stdlib_module_names and top != PACKAGE}
