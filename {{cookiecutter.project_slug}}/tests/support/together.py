"""Tests of two modules together: `test_<subject>_with_<module>.py` is collected only with <module> on.

The manifest keeps a test file while the module it is listed under is on. A test of that module played
with another one (the session worker fed by the wallet's own events, promotions refusing a player who
excluded themselves) needs the other module too, so it lives in a file named for both and is listed
under the first. This hook leaves such a file uncollected when the module after `_with_` is not part of
the project (registry.MODULES), so no collected test imports a module that generation left out.
`_with_` in a test file's name is kept for this: what follows it is always a module's name.
"""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }} import registry


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """True (do not collect) for a test of two modules whose second module was not generated."""
    name = collection_path.name
    if not (name.startswith("test_") and name.endswith(".py")):
        return None
    subject, found, other = collection_path.stem.rpartition("_with_")
    if not found or not subject:
        return None
    return None if registry.enabled(other) else True
