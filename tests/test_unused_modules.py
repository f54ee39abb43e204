"""No generated module is dead weight: each is imported by the code or its tools, or is an entry point.

A module only its own test imports is dead weight; memory adapters are the exception (they exist for
the tests: the domain's tests run on them in memory).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from combinations import only
from conftest import bake

# The lean project (sessions and wallet only) and the default one (every module on).
CASES = [("aws-default", {}), ("aws-sessions-wallet-only", only("sessions", "wallet"))]


def imported_modules(source: Path, root: Path) -> set[str]:
    """Dotted names that one file (`source`, relative to `root`) imports, relative imports resolved."""
    module = ".".join(source.with_suffix("").parts)
    found = set()
    for node in ast.walk(ast.parse((root / source).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level]
                base = ".".join([*parent, base]) if base else ".".join(parent)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize(("case_id", "answers"), CASES, ids=[case[0] for case in CASES])
def test_every_generated_module_is_imported_or_an_entry_point(
    case_id: str, answers: dict[str, Any], tmp_path: Path
) -> None:
    baked = bake(tmp_path, answers)
    assert baked.returncode == 0, baked.output
    project = baked.project
    package = next(p.name for p in (project / "src").iterdir() if p.is_dir())
    src = project / "src"
    modules = {".".join(p.relative_to(src).with_suffix("").parts) for p in src.rglob("*.py")
               if p.name != "__init__.py"}
    used: set[str] = set()
    for path in src.rglob("*.py"):
        used |= imported_modules(path.relative_to(src), src)
    for path in (project / "tools").rglob("*.py"):
        used |= imported_modules(path.relative_to(project), project)
    for path in (project / "tests").rglob("*.py"):
        used |= {name for name in imported_modules(path.relative_to(project), project)
                 if name.startswith(f"{package}.adapters.memory")}
    # Loaded by name: api/modules.py imports each registry module's api/<module>.py and api/aws_<module>.py.
    registry = ast.parse((src / package / "registry.py").read_text(encoding="utf-8"))
    (listed,) = [ast.literal_eval(node.value) for node in registry.body
                 if isinstance(node, ast.AnnAssign) and node.value is not None
                 and isinstance(node.target, ast.Name) and node.target.id == "MODULES"]
    if f"{package}.api.modules" in used:
        used |= {f"{package}.api.{kind}{name}" for kind in ("", "aws_") for name in listed}
    # Entry points: each function's handler in serverless.yml, the API app serverless-wsgi serves, and
    # the modules the Makefile runs with `python -m`.
    config = (project / "serverless.yml").read_text(encoding="utf-8")
    makefiles = "".join(path.read_text(encoding="utf-8") for path in (project / "Makefile", *project.glob("*.mk")))
    used |= set(re.findall(rf"-m ({package}[\w.]*)", makefiles))
    used |= {name.replace("/", ".") for name in re.findall(rf"handler: ({package}/[\w/]+)\.\w+", config)}
    used |= set(re.findall(rf"app: (?:src/)?({package}[\w.]*)\.\w+", config))
    assert sorted(modules - used) == [], f"modules nothing imports in {case_id}"

