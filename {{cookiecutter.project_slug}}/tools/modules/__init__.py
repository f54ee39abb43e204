"""What each module adds to the local tools: its demo steps, bench operations and load operation.

A module's pieces live in tools/modules/<module>.py, which generation keeps only when the module is on
(manifest.yaml); the tools reach them through the package's registry (`registry.MODULES`), never by
asking which modules are on. Each such file defines `TOOLS = ModuleTools(...)` with what it has.

Where a piece goes among the other modules' pieces is its `at` (ascending; equal places keep the
registry's order). The places in use:

- the demo's journey (tools/demo.py): 0 sign-in (every project), 100 identity check, 200 deposit,
  250 bonus granted, 300 bets, win and rollback, 350 limit reached, 400 session activity, 450 sign-out,
  500 the workers catch up (every project), 600 leaderboard, 700 daily report, 900 reconciliation;
- a player's set-up before a load (tools/load.py, tools/bench.py): 100 identity check, 200 deposit;
- the bench's counted operations (tools/bench.py): 0 sign-in, 100 KYC, 200 money operations,
  300 bonus grant, 400 leaderboard update.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, NamedTuple

from tools.project import use_source_tree

if TYPE_CHECKING:
    from tools.bench import ApiDriver
    from tools.journey import Journey
    from tools.local_auth import ServerStandIns

PACKAGE = "{{ cookiecutter.package_name }}"


class Step(NamedTuple):
    """One step of the demo's journey: its place, the title it is printed with, what it does."""

    at: int
    title: str
    run: Callable[[], str]


class Setup(NamedTuple):
    """Something a player needs before a load (verified, funded): its place and what it does."""

    at: int
    run: Callable[[], object]


class Operation(NamedTuple):
    """One operation whose AWS requests the bench counts: its place, its name, what it does."""

    at: int
    name: str
    run: Callable[[], object]


class Swap(NamedTuple):
    """An AWS adapter class and the in-memory one the bench's CPU figure uses in its place."""

    module: str  # within the package, e.g. "adapters.dynamodb_wallet"
    attribute: str
    memory_module: str
    memory_attribute: str


@dataclass(frozen=True)
class Workload:
    """The operation a load repeats: the project's busiest (lowest `rank` wins among the modules)."""

    rank: int
    name: str  # as the bench reports it: "bet", "sign-in"
    # One request of the load (tools/load.py): a client's `number`-th, through the journey.
    load: Callable[[Journey, int, int], None]
    # One request of the bench's latency and CPU runs: for `player`, `tag` unique per request.
    bench: Callable[[ApiDriver, str, str], object]


@dataclass(frozen=True)
class DevHint:
    """The first request `make dev` suggests (`{api}` is the local API's URL); lowest `rank` wins."""

    rank: int
    command: str


@dataclass(frozen=True)
class ModuleTools:
    """A module's pieces of the local tools; each is optional."""

    # The server callers of the module's routes, signing as the real ones do (tools/local_auth.py):
    # from the API's environment and this run's SSM values.
    server_stand_ins: Callable[[Mapping[str, str], Mapping[str, str]], ServerStandIns] | None = None
    # Done when the journey's player signs in; a note for the sign-in line, or None.
    sign_in: Callable[[Journey], str | None] | None = None
    demo_steps: Callable[[Journey], list[Step]] | None = None
    # A player's set-up before the load (funds: what the load will stake at most).
    load_setup: Callable[[Journey, int], list[Setup]] | None = None
    # The same for the bench: the player, a tag for transaction ids, the funds.
    bench_setup: Callable[[ApiDriver, str, str, int], list[Setup]] | None = None
    bench_operations: Callable[[ApiDriver, str, str], list[Operation]] | None = None
    workload: Workload | None = None
    memory_swaps: tuple[Swap, ...] = ()
    dev_hint: DevHint | None = None
    # What a function's process gets in a local run besides its stack environment (the hybrid mode: the
    # URL of the operator platform's fake, which it starts for the run): the run and the function in.
    local_environment: Callable[[Any, Any], Mapping[str, str]] | None = None


def enabled(module: str) -> bool:
    """Whether `module` is part of this project (the package's registry says)."""
    use_source_tree()
    registry: Any = import_module(f"{PACKAGE}.registry")
    return bool(registry.enabled(module))


def contributions() -> list[ModuleTools]:
    """The tools' pieces of the project's modules, in the registry's order."""
    use_source_tree()
    registry: Any = import_module(f"{PACKAGE}.registry")
    found = [f"{__name__}.{name}" for name in registry.MODULES if find_spec(f"{__name__}.{name}") is not None]
    return [import_module(name).TOOLS for name in found]


def busiest(parts: list[ModuleTools]) -> Workload | None:
    """The workload of the lowest rank among the modules' (the request a load repeats), None if none."""
    workloads = [part.workload for part in parts if part.workload is not None]
    return min(workloads, key=lambda workload: workload.rank) if workloads else None


def run_in_place(setup: list[Setup]) -> None:
    """Run a player's set-up steps in their places (equal places in the registry's order)."""
    for step in sorted(setup, key=lambda step: step.at):
        step.run()


def local_environment(run: Any, function: Any) -> dict[str, str]:
    """What the project's modules add to a function's environment in a local run (tools/dev.py)."""
    added: dict[str, str] = {}
    for part in contributions():
        if part.local_environment is not None:
            added.update(part.local_environment(run, function))
    return added


def server_stand_ins(
    parts: list[ModuleTools], environment: Mapping[str, str], parameters: Mapping[str, str]
) -> ServerStandIns | None:
    """The stand-ins of the server callers of the project's routes, None when no module has any."""
    makers = [part.server_stand_ins for part in parts if part.server_stand_ins is not None]
    return makers[0](environment, parameters) if makers else None
