"""The modules this project was generated with: the one list of them, rendered once from the manifest.

Shared code never asks the answers which modules are on; it asks this registry. A module's own code
(domain, adapters, API blueprint, workers, tests) lives in files of its own that generation keeps only
when the module is on, and reaches shared code through what the registry lists.
"""

from __future__ import annotations

MODULES: tuple[str, ...] = {{ python_tuple(enabled_modules(cookiecutter)) }}
# The template's other modules, left out of this project: their files do not exist here. Code that
# reaches one imports it only after asking `enabled`, and packaging lets that import be missing.
ABSENT: tuple[str, ...] = {{ python_tuple(absent_modules(cookiecutter)) }}
# Modules whose events a module of this project publishes in their place, by the module it stands in
# for (hybrid mode: the operator's wallet publishes the wallet's events under the wallet's source).
STAND_INS: dict[str, str] = {{ stand_ins(cookiecutter) | tojson }}
# Files of a left-out module kept for the tests only (the hybrid mode's supporting modules test their
# bonuses with the wallet's in-memory ledger): tools/aws/package_code.py never packages them.
TEST_DOUBLES: tuple[str, ...] = {{ python_tuple(test_doubles(cookiecutter)) }}


def enabled(module: str) -> bool:
    """Whether `module` (a manifest name, e.g. "responsible_gaming") is part of this project."""
    return module in MODULES


def publishes(module: str) -> bool:
    """Whether events under `module`'s source are published here: by the module, or by its stand-in."""
    return module in MODULES or module in STAND_INS
