"""What the Terraform flavours' tests share (tests/test_gcp_infra.py, tests/test_azure_infra.py).

A generated project's `tools/infra_check.py` is one tool for both clouds (it reads the provider that
infra/versions.tf pins); these functions run it, parse the Terraform and read the AWS twin's functions.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from conftest import bake


def scan_python() -> Path:
    """The scanners' Python (hcl2 and checkov live there, as in a generated project's SCAN_VENV)."""
    folder = os.environ.get("TEMPLATE_SCAN_BIN")
    assert folder, "TEMPLATE_SCAN_BIN is not set: run the tests through the template's Makefile (make test)"
    return Path(folder) / "python"


def infra_check(project: Path, *args: str) -> tuple[int, str, list[dict[str, Any]]]:
    """Run the project's `make infra-check` (tools/infra_check.py with the scanners' Python); its exit
    code (0 when every check passes), output and results."""
    report = project / "infra-check.json"
    result = subprocess.run(
        ["make", "--no-print-directory", "infra-check", f"SCAN_VENV={scan_python().parent.parent}",
         f"INFRA_CHECK_ARGS=--json {report} {' '.join(args)}"],
        cwd=project, capture_output=True, text=True, check=False, timeout=900,
    )
    return result.returncode, result.stdout + result.stderr, json.loads(report.read_text(encoding="utf-8"))


def install_commands(project: Path) -> str:
    """What `make install` would run in a generated project (make -n: nothing is installed)."""
    result = subprocess.run(["make", "--no-print-directory", "-n", "install"], cwd=project, capture_output=True,
                            text=True, check=True, timeout=60)
    return result.stdout


def parsed(project: Path) -> dict[str, Any]:
    """Every resource and module call of the project's Terraform, parsed by hcl2 in the scanners' Python."""
    code = (
        "import hcl2, json, pathlib, sys\n"
        "out = {}\n"
        "for p in sorted(pathlib.Path('infra').rglob('*.tf')):\n"
        "    out[str(p)] = hcl2.load(p.open())\n"
        "json.dump(out, sys.stdout, default=str)\n"
    )
    result = subprocess.run([str(scan_python()), "-c", code], cwd=project, capture_output=True, text=True,
                            check=True, timeout=120)
    documents: dict[str, Any] = json.loads(result.stdout)
    return documents


def copy_of(project: Path, tmp_path: Path) -> Path:
    target = tmp_path / project.name
    shutil.copytree(project, target, ignore=shutil.ignore_patterns("infra-check.json"))
    return target


def aws_functions(tmp_path: Path, answers: dict[str, Any]) -> dict[str, str]:
    """The AWS flavour's functions for the same answers: serverless.yml's function keys and handler modules."""
    twin = {key: value for key, value in answers.items() if key not in ("cloud_provider", "region")}
    result = bake(tmp_path / "aws-twin", twin)
    assert result.returncode == 0, result.output
    spec = importlib.util.spec_from_file_location("cfn_yaml_twin", result.project / "tools" / "cfn_yaml.py")
    assert spec and spec.loader
    loader = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loader)
    config = loader.load_file(result.project / "serverless.yml")
    return {key: str(function["handler"]) for key, function in config["functions"].items()}


def make_package(project: Path, python: str, build_dir: str) -> tuple[dict[str, set[str]], str]:
    """`make package` in a Terraform flavour's project: each archive's entries by its name, and the output."""
    result = subprocess.run(["make", "package", f"PYTHON={python}"], cwd=project, capture_output=True,
                            text=True, timeout=600, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    archives = {}
    for archive in sorted((project / build_dir).glob("*.zip")):
        with zipfile.ZipFile(archive) as bundle:
            archives[archive.name] = set(bundle.namelist())
    return archives, output
