"""Tests of two modules together: `test_<subject>_with_<module>.py` is collected only with <module> on.

The manifest keeps a test file while the module it is listed under is on. A test of that module played
with another one (the session worker fed by the wallet's own events, promotions refusing a player who
excluded themselves) needs the other module too, so it lives in a file named for both and is listed
under the first. This hook leaves such a file uncollected when the module after `_with_` is not part of
the project (registry.MODULES), so no collected test imports a module that generation left out.
"""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }} import registry

# Every module of the template, generated or not: only a name among these after `_with_` pairs modules.
MODULE_NAMES = (
{%- for name in manifest.modules %}
    "{{ name }}",
{%- endfor %}
)


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """True (do not collect) for a test of two modules whose second module was not generated."""
    name = collection_path.name
    if not (name.startswith("test_") and name.endswith(".py")):
        return None
    subject, found, other = collection_path.stem.rpartition("_with_")
    if not found or not subject or other not in MODULE_NAMES:
        return None
    return None if registry.enabled(other) else True
