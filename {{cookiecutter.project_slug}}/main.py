"""The Cloud Run functions' source: functions-framework looks up each function's target here by name.

Every function's archive holds this file (tools/gcp/package.py); its target, the `entry_point` infra/
names, is the file `<package>/gcp/<target>.py`, imported on the first lookup only: a function's cold
start loads its own code, not every function's (docs/design_decisions.md).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from typing import Any

PACKAGE = "{{ cookiecutter.package_name }}"
ENTRY_POINTS = f"{PACKAGE}.gcp"


def entry_points() -> list[str]:
    """Every target this project's functions can name, by name."""
    package = importlib.import_module(ENTRY_POINTS)
    return sorted(module.name for module in pkgutil.iter_modules(package.__path__))


def __getattr__(name: str) -> Any:
    """The target `name` (a callable of `<package>/gcp/<name>.py`), imported now."""
    if (
        name.startswith("_")
        or not name.isidentifier()
        or importlib.util.find_spec(f"{ENTRY_POINTS}.{name}") is None
    ):
        raise AttributeError(f"module {__name__!r} has no entry point {name!r} ({PACKAGE}/gcp/ holds none)")
    return getattr(importlib.import_module(f"{ENTRY_POINTS}.{name}"), name)
