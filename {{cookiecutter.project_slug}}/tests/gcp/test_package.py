"""tools/gcp/package.py: one archive per function, named as infra/ expects, importing its target alone."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from tests.gcp.test_entry_points import NOT_BUILT
from tools.gcp import package

PACKAGE = "{{ cookiecutter.package_name }}"


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("archives")
    return {path.name: path for path in package.build(out, "test1")}


def test_each_function_infra_deploys_gets_its_archive_or_is_not_built(archives: dict[str, Path]) -> None:
    functions = package.deployed_functions()
    built = {f"{function.key}-test1.zip" for function in functions if function.entry_point not in NOT_BUILT}

    assert set(archives) == built
    assert "api-test1.zip" in archives


def test_the_functions_read_from_infra_are_its_archives_and_entry_points() -> None:
    functions = {function.key: function.entry_point for function in package.deployed_functions()}

    assert functions["api"] == "api"
    assert functions["auditTrail"] == "audit_trail"
    assert len(functions) == len(set(functions.values()))  # one function per entry point


def test_archives_are_the_same_bytes_when_built_again(archives: dict[str, Path], tmp_path: Path) -> None:
    again = {path.name: path.read_bytes() for path in package.build(tmp_path, "test1")}

    assert again == {name: path.read_bytes() for name, path in archives.items()}


def test_an_archive_holds_main_the_runtime_lock_and_only_its_own_code(archives: dict[str, Path]) -> None:
    for name, path in archives.items():
        names = zipfile.ZipFile(path).namelist()
        assert {"main.py", "requirements.txt"} <= set(names), name
        assert "--hash=sha256:" in zipfile.ZipFile(path).read("requirements.txt").decode()
        assert not [entry for entry in names if entry.startswith(("src/", "tests/", "tools/"))], name
        if not name.startswith("api-"):
            assert f"{PACKAGE}/api/app.py" not in names, name  # a worker does not carry the API
        assert all(info.date_time == package.FIXED_TIME for info in zipfile.ZipFile(path).infolist())


def test_the_runtime_lock_pins_functions_framework_and_flask_once(archives: dict[str, Path]) -> None:
    lock = zipfile.ZipFile(archives["api-test1.zip"]).read("requirements.txt").decode()

    assert lock.count("\nfunctions-framework==") == 1
    assert lock.count("\nflask==") == 1


def test_each_archive_imports_its_entry_point_alone(archives: dict[str, Path], tmp_path: Path) -> None:
    """Unpack each archive and look its target up in a clean interpreter: the archive and site-packages."""
    for function in package.deployed_functions():
        archive = archives.get(f"{function.key}-test1.zip")
        if archive is None:
            continue
        root = tmp_path / function.key
        zipfile.ZipFile(archive).extractall(root)
        check = (
            f"import sys; sys.path.insert(0, {str(root)!r}); import main; "
            f"assert callable(main.{function.entry_point}); "
            f"import {PACKAGE}; assert {PACKAGE}.__file__.startswith({str(root)!r}), {PACKAGE}.__file__"
        )
        # -I: no PYTHONPATH, no current directory, no user site: the project's src/ is out of reach.
        result = subprocess.run(
            [sys.executable, "-I", "-B", "-c", check], cwd=root, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{function.key}: {result.stderr[-2000:]}"
