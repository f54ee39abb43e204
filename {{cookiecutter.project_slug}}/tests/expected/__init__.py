"""Each module's part of tests/test_demo.py and tests/test_bench.py: what the module's tools must show.

tests/expected/<module>.py is kept with its module (manifest.yaml) and written out by hand, apart from the
tools' own declarations (tools/modules/<module>.py), so that a step or an operation a module lost, or
moved, fails the tests. Each may define:

- DEMO_STEPS: the journey's steps the module adds, as (place, title); the places are the tools'
  (tools/modules/__init__.py), so the expected order runs across modules;
- demo_lines(): lines the journey's figures must print;
- COUNTED: the operations whose requests the bench counts, as (place, name); one two modules bring
  alike (the bonus grant) is counted once;
- WORKLOAD: (rank, name) of the request a load repeats (the lowest rank among the modules wins).
"""

from __future__ import annotations

from collections.abc import Collection
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from {{ cookiecutter.package_name }}.registry import MODULES

# Steps every project's journey has: the sign-in and the workers catching up.
CORE_STEPS = [(0, "sign in"), (500, "workers")]
# The request a load repeats when no module has a busier one.
HEALTH = "health"

PARTS: list[ModuleType] = [
    import_module(f"{__name__}.{name}") for name in MODULES if find_spec(f"{__name__}.{name}") is not None
]


def _played(left_out: Collection[str]) -> list[ModuleType]:
    """The modules' parts a journey plays: all but those the local run leaves out."""
    return [part for part in PARTS if part.__name__.rsplit(".", 1)[-1] not in left_out]


def expected_steps(left_out: Collection[str] = ()) -> list[str]:
    """The journey's steps, in order, for this project's modules (equal places: the registry's order)
    but the `left_out` ones."""
    steps = CORE_STEPS + [step for part in _played(left_out) for step in getattr(part, "DEMO_STEPS", [])]
    return [title for _, title in sorted(steps, key=lambda step: step[0])]


def expected_lines(left_out: Collection[str] = ()) -> list[str]:
    """What the journey's figures must read, for this project's modules but the `left_out` ones."""
    return [line for part in _played(left_out) if hasattr(part, "demo_lines") for line in part.demo_lines()]


def counted_operations() -> list[str]:
    """The operations whose requests the bench counts, in journey order, each once."""
    counted: list[tuple[int, str]] = []
    for part in PARTS:
        counted += [operation for operation in getattr(part, "COUNTED", []) if operation not in counted]
    return [name for _, name in sorted(counted, key=lambda operation: operation[0])]


def busiest() -> str:
    """The request a load repeats: the lowest-ranked module workload, else a health check."""
    workloads = [part.WORKLOAD for part in PARTS if hasattr(part, "WORKLOAD")]
    return min(workloads)[1] if workloads else HEALTH
