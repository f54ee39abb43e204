"""tools/aws/package_code.py: a function's zip carries the modules its handler imports, and their bytecode."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tools import code_closure
from tools.aws import package_code
from tools.project import PROJECT_ROOT

PACKAGE = "{{ cookiecutter.package_name }}"


def write_package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def toy_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small package in place of src/: the import rules, one at a time."""
    write_package(
        tmp_path,
        {
            "__init__.py": "",
            "handlers/__init__.py": "",
            "handlers/worker.py": (
                "from __future__ import annotations\n"
                "from typing import TYPE_CHECKING\n"
                "from ..domain.core import thing\n"
                "from .. import helpers\n"
                "if TYPE_CHECKING:\n"
                "    from ..domain.heavy import Type\n"
                "else:\n"
                "    from ..domain import runtime_only\n"
                "def build():\n"
                "    from ..adapters.store import Store  # on first use\n"
                "    return Store()\n"
            ),
            "helpers.py": "import json\n",
            "domain/__init__.py": "",
            "domain/core.py": "thing = 1\n",
            "domain/heavy.py": "class Type: ...\n",
            "domain/runtime_only.py": "",
            "domain/unused.py": "",
            "adapters/__init__.py": "",
            "adapters/store.py": f"import {PACKAGE}.domain.core\nclass Store: ...\n",
            "rules.json": "{}",
            "api/__init__.py": "",
            "api/contract.yaml": "openapi: 3.1.0\n",
        },
    )
    monkeypatch.setattr(code_closure, "SRC_DIR", tmp_path)
    monkeypatch.setattr(code_closure, "PROJECT_ROOT", tmp_path)
    return tmp_path


def test_the_closure_follows_every_import_a_handler_can_run(toy_package: Path) -> None:
    modules = package_code.closure(f"{PACKAGE}.handlers.worker")

    assert set(modules) == {
        PACKAGE,
        f"{PACKAGE}.handlers",
        f"{PACKAGE}.handlers.worker",
        f"{PACKAGE}.helpers",  # `from .. import helpers`: a module, not a name
        f"{PACKAGE}.domain",
        f"{PACKAGE}.domain.core",
        f"{PACKAGE}.domain.runtime_only",  # the else branch of `if TYPE_CHECKING` runs
        f"{PACKAGE}.adapters",
        f"{PACKAGE}.adapters.store",  # imported inside a function
    }
    assert f"{PACKAGE}.domain.heavy" not in modules  # for the type checker only
    assert f"{PACKAGE}.domain.unused" not in modules


def test_a_function_carries_its_modules_and_the_package_data(toy_package: Path) -> None:
    code = package_code.function_code("worker", f"{PACKAGE}.handlers.worker", package_code.data_files())

    assert f"{PACKAGE}/domain/core.py" in code.files
    assert f"{PACKAGE}/rules.json" in code.files
    assert f"{PACKAGE}/domain/unused.py" not in code.files
    # Data of a package the function never imports stays out (the API's contract is not a worker's).
    assert f"{PACKAGE}/api/contract.yaml" not in code.files


def test_an_import_of_a_missing_module_is_named(toy_package: Path) -> None:
    write_package(
        toy_package, {"handlers/broken.py": "from ..domain import nowhere\nfrom ..nothing import x\n"}
    )

    with pytest.raises(package_code.PackagingError, match=rf"{PACKAGE}\.nothing is imported"):
        package_code.closure(f"{PACKAGE}.handlers.broken")


def test_a_guarded_import_of_a_left_out_module_may_be_missing_and_no_other(toy_package: Path) -> None:
    """A module the project leaves out (registry.ABSENT) is imported only after asking the registry:
    its files are missing, and packaging carries on without them; any other missing module is named."""
    write_package(
        toy_package,
        {
            "registry.py": 'MODULES: tuple[str, ...] = ()\nABSENT: tuple[str, ...] = ("jackpots",)\n',
            "handlers/payout.py": (
                "def pay():\n"
                "    from ..domain.jackpots import Jackpot\n"
                "    from ..adapters.memory_jackpots import Store\n"
                "    return Jackpot, Store\n"
            ),
            "handlers/typo.py": "def pay():\n    from ..domain.jackpot import Jackpot\n    return Jackpot\n",
        },
    )

    modules = package_code.closure(f"{PACKAGE}.handlers.payout")
    assert f"{PACKAGE}.domain.jackpots" not in modules
    assert f"{PACKAGE}.adapters.memory_jackpots" not in modules
    with pytest.raises(package_code.PackagingError, match=rf"{PACKAGE}\.domain\.jackpot is imported"):
        package_code.closure(f"{PACKAGE}.handlers.typo")


def test_every_function_of_this_project_imports_from_its_own_files_alone(tmp_path: Path) -> None:
    """Copy each function's files alone and import its handler: nothing it needs is left out."""
    document = package_code.build(write=False)
    targets = package_code.handler_modules()
    assert set(document["functions"]) == set(targets)
    for name, module in targets.items():
        root = tmp_path / name
        for file in document["functions"][name]:
            if file.endswith(".pyc"):
                continue
            (root / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(PROJECT_ROOT / file, root / file)
        result = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root / "src"), "PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{name}: {result.stderr[-2000:]}"


def test_workers_leave_out_the_api_and_the_api_leaves_out_the_handlers() -> None:
    document = package_code.build(write=False)

    for name, modules in document["modules"].items():
        if name == "api":
            assert not [module for module in modules if module.startswith(f"{PACKAGE}.handlers")]
        else:
            assert not [module for module in modules if module.startswith(f"{PACKAGE}.api")], name
        assert not [module for module in modules if ".memory" in module], name


def test_bytecode_is_hash_checked_for_the_runtime_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "src" / PACKAGE / "module.py"
    source.parent.mkdir(parents=True)
    source.write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.setattr(code_closure, "PROJECT_ROOT", tmp_path)

    [written] = package_code.compile_bytecode([f"src/{PACKAGE}/module.py"])

    pyc = tmp_path / written
    assert pyc == Path(importlib.util.cache_from_source(str(source)))
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b11  # PEP 552: hash-based, checked against the source


def test_another_python_packages_source_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(package_code, "runtime_version", lambda: "3.99")

    document = package_code.build(write=False)

    assert document["bytecode"] is False
    assert "**/__pycache__*" in document["slimPatterns"]  # nor the API's packages' bytecode
    assert not [file for files in document["functions"].values() for file in files if file.endswith(".pyc")]
    assert "No bytecode" in package_code.summary(document)


def test_serverless_yml_reads_every_function_from_the_written_file() -> None:
    text = (PROJECT_ROOT / "serverless.yml").read_text(encoding="utf-8")

    for name in package_code.handler_modules():
        assert "${file(./.build/function-code.json):functions." + name + ", self:custom." in text, name
    assert "slimPatterns: ${file(./.build/function-code.json):slimPatterns, self:custom." in text
