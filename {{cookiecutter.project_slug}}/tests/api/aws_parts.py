"""Each module's part of the AWS app's tests (tests/api/aws_<module>.py), in the registry's order."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from {{ cookiecutter.package_name }}.registry import MODULES

# Each module's part of these tests, in the registry's order.
PARTS: list[ModuleType] = [
    importlib.import_module(f"tests.api.aws_{name}")
    for name in MODULES
    if importlib.util.find_spec(f"tests.api.aws_{name}") is not None
]
# A route that needs the services (so the settings), whichever modules are on.
A_PLAYER_ROUTE: tuple[str, str] = next(part.PLAYER_ROUTE for part in PARTS if hasattr(part, "PLAYER_ROUTE"))
APP_MODULE = "{{ cookiecutter.package_name }}.api.aws"
# Modules whose service the app builds on the first request to their routes: (module, route, domain).
LAZY_MODULES: list[tuple[str, str, str]] = [
    part.LAZY_MODULE for part in PARTS if hasattr(part, "LAZY_MODULE")
]
