"""`make bench`: cold starts, package sizes, requests per operation, the app's CPU and latency.

A benchmark, not a timed test: it prints each figure next to its target and writes them all to
bench-results.json at the project root; it fails only when it cannot measure. docs/benchmarks.md
explains each figure. `--quick` takes fewer samples and shorter runs (the tests use it).

This file holds what every cloud shares: the targets and verdicts, the timing of cold-start probes,
the modules' operations in journey order, the load of concurrent clients, and the table. What is
measured on the cloud's stand-in (the probes' code, the zips, the requests counted, the app on
in-memory adapters) is the provider's (tools/local.py's `provider().measure`; on AWS tools/aws/bench.py):

- Cold start: each function's init in a fresh interpreter (its handler module imported, its services
  built and their clients and logger created: what the first invocation pays before any I/O),
  median of the rounds, next to two baselines of the same run: `python -c pass` and the cloud SDK's
  client (on AWS `python -c "import boto3; boto3.client('dynamodb', region_name='eu-west-1')"`).
  Judged by CPU time, which a busy machine moves less than wall time (shown beside it): the median of
  the rounds' ratios, each between the function and the baseline of the same round; a ratio near its
  target is measured again before it is judged.
- Package: each function's zip (on AWS from `osls package`, Powertools from its layer).
- Requests: the cloud requests per API operation against the local stand-in.
- The app's own CPU per operation: the API on in-memory stores, in this process (no I/O).
- Latency: each operation's round trip through the app with 8 concurrent clients against the
  local stand-in (p50, p99, and operations per second).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tools.local import provider
from tools.modules import ModuleTools, Operation, Setup, Workload, run_in_place
from tools.project import PROJECT_ROOT

RESULTS_FILE = PROJECT_ROOT / "bench-results.json"
# Cold-start targets: CPU time of a function's init over the SDK baseline's, measured in the same run.
TARGET_RATIO = {"api": 1.4, "worker": 1.1, "job": 1.1}
# A CPU ratio this close to its target (relative) is measured again, as many rounds more of it and
# the baseline, before it is judged: one unlucky round must not flip a verdict.
BORDERLINE = 0.05
TARGET_ZIP_BYTES = {"api": 5_000_000, "worker": 200_000, "job": 200_000}
CLIENTS = 8
MONEY_OPERATIONS = ("deposit", "withdrawal", "bet", "win", "rollback", "grant")
# A money operation's synchronous path: at most one read and one write (a transaction).
TARGET_MONEY_REQUESTS = 2


@dataclass(frozen=True)
class Mode:
    rounds: int  # cold-start samples per probe (after one warm-up round, if warm_up)
    seconds: float  # length of the latency run
    warm_up: bool
    cpu_operations: int  # in-memory operations timed for the app's own CPU per operation


FULL = Mode(rounds=10, seconds=5.0, warm_up=True, cpu_operations=2000)
# Proves every measurement works; its figures are rough.
QUICK = Mode(rounds=1, seconds=0.5, warm_up=False, cpu_operations=50)


# --- cold starts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    name: str
    args: list[str]
    env: dict[str, str]


@dataclass
class Samples:
    """Every round's figures of one probe: wall-clock time, and the CPU time its process used."""

    wall_ms: list[float]
    cpu_ms: list[float]

    @property
    def wall(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_ms)


def measure_cold_starts(probes: list[Probe], rounds: int, *, warm_up: bool) -> dict[str, Samples]:
    """Each probe's figures over `rounds`; rounds interleave the probes so drift hits all alike.

    Wall time is what a cold start costs; CPU time (user + system of the probe's process) barely
    moves when other programs load the machine, so it is the figure the targets judge.
    """
    samples = {probe.name: Samples([], []) for probe in probes}
    for round_number in range(0 if warm_up else 1, rounds + 1):  # round 0 warms the disk cache
        for probe in probes:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            result = subprocess.run(probe.args, env=probe.env, capture_output=True, text=True, check=False)  # noqa: S603 - our interpreter
            elapsed = (time.perf_counter() - started) * 1000
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if result.returncode != 0:
                raise RuntimeError(f"cold-start probe {probe.name} failed:\n{result.stderr[-3000:]}")
            if round_number:
                samples[probe.name].wall_ms.append(elapsed)
                used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                samples[probe.name].cpu_ms.append(used * 1000)
    return samples


def round_ratios(init: Samples, baseline: Samples) -> list[float]:
    """Each round's CPU time of a function's init over the baseline's in the same round.

    Every round runs the baseline, then the functions; a borderline function's extra rounds run with
    extra rounds of the baseline, appended to both in the same order: the rounds both probes have are
    the first ones of each (a reference measured in the first rounds only pairs with those).
    """
    return [mine / base for mine, base in zip(init.cpu_ms, baseline.cpu_ms, strict=False)]


def cpu_ratio(init: Samples, baseline: Samples) -> float:
    """The median of the rounds' CPU ratios: a round's ratio is taken between two probes run a moment
    apart, so a machine whose load drifts between rounds moves both alike (the ratio of the two
    medians would pair a function's quiet round with the baseline's busy one)."""
    return statistics.median(round_ratios(init, baseline))


def ratio_spread(init: Samples, baseline: Samples) -> tuple[float, float]:
    """Lowest and highest CPU ratio of single rounds (each round runs both probes, one after the other)."""
    ratios = round_ratios(init, baseline)
    return min(ratios), max(ratios)


def is_borderline(ratio: float, target: float) -> bool:
    """Close enough to the target that another set of rounds could move it across."""
    return abs(ratio - target) <= BORDERLINE * target


def meets_target(ratio: float, target: float) -> bool:
    """The verdict of a cold start: its CPU ratio to the baseline, not its wall-clock ratio."""
    return ratio <= target


class ApiDriver(Protocol):
    """Sends one request to the app in this process, as the cloud's gateway would; the answer's JSON.

    A server caller's route is sent as that caller (its token, the player in the body, signed).
    """

    # The app in this process (a worker's operation, such as a bonus grant, uses its services).
    app: Any
    # The scopes of the server routes (a server caller's token carries them).
    server_scopes: tuple[str, ...]
    # Each player's latest session (player -> session id), from its sign-in: bets are placed in it.
    sessions: dict[str, str]

    def call(
        self, method: str, path: str, body: dict[str, Any] | None, player: str, scopes: tuple[str, ...] = ()
    ) -> Any: ...


def operations(
    parts: list[ModuleTools], driver: ApiDriver, player: str, tag: str
) -> list[tuple[str, Callable[[], Any]]]:
    """The operations whose requests are counted, in journey order (each module adds its own)."""
    counted: list[Operation] = []
    for part in parts:
        if part.bench_operations is not None:
            seen = {(operation.at, operation.name) for operation in counted}
            # An operation two modules bring alike (the bonus grant of promotions and leaderboards): once.
            counted += [
                new for new in part.bench_operations(driver, player, tag) if (new.at, new.name) not in seen
            ]
    return [
        (operation.name, operation.run) for operation in sorted(counted, key=lambda operation: operation.at)
    ]


def health_check(driver: ApiDriver, player: str, _tag: str) -> object:
    """The workload of a project with no module that has a busier request."""
    return driver.call("GET", "/health", None, player)


HEALTH = Workload(rank=1_000, name="health", load=lambda *_: None, bench=health_check)


def player_setup(parts: list[ModuleTools], driver: ApiDriver, player: str, tag: str) -> None:
    """What `player` needs before the workload: verified, funded with more than it will stake."""
    setup: list[Setup] = []
    for part in parts:
        if part.bench_setup is not None:
            setup += part.bench_setup(driver, player, tag, 10**12)
    run_in_place(setup)


@dataclass(frozen=True)
class LoadRun:
    """What CLIENTS concurrent clients measured: operations per second and each operation's latency."""

    per_second: float
    latencies_ms: list[float]


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


def under_load(parts: list[ModuleTools], driver: ApiDriver, seconds: float, workload: Workload) -> LoadRun:
    """CLIENTS threads, each playing its own player, for `seconds`: rate and every round trip's time."""
    done = [0] * CLIENTS
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    failures: list[str] = []
    start = threading.Barrier(CLIENTS + 1)

    def client(number: int) -> None:
        player = f"bench-load-{number}"
        player_setup(parts, driver, player, f"tp-{number}")
        start.wait()
        deadline = time.monotonic() + seconds
        count = 0
        try:
            while time.monotonic() < deadline:
                sent = time.perf_counter()
                workload.bench(driver, player, f"tp-{number}-{count}")
                latencies[number].append((time.perf_counter() - sent) * 1000)
                count += 1
        except RuntimeError as error:
            failures.append(str(error))
        done[number] = count

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if failures:
        raise RuntimeError(f"{len(failures)} client(s) failed during the {workload.name} run: {failures[0]}")
    return LoadRun(sum(done) / elapsed, [latency for client in latencies for latency in client])


# --- the table -------------------------------------------------------------------------------------


def verdict(met: bool | None) -> str:
    return "" if met is None else "met" if met else "MISSED"


def sdk_without_bytecode(module: str) -> bool:
    """Whether the installed `module` (the cloud SDK of the baseline) has no bytecode for this Python.

    Then every probe compiles the SDK from source (nothing writes bytecode where PYTHONDONTWRITEBYTECODE
    is set), a cold start no cloud runtime has: its images carry bytecode. pip compiles it on install;
    uv only with --compile-bytecode.
    """
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return False
    return not Path(importlib.util.cache_from_source(spec.origin)).exists()


def report(results: dict[str, Any]) -> str:
    """The results as the table `make bench` prints (the provider names its baselines and sections)."""
    labels = results["labels"]
    cold = results["cold_start"]
    floor_ms, floor_cpu = cold["floor_ms"], cold["floor_cpu_ms"]
    baseline_ms, baseline_cpu = cold["provider_client_baseline_ms"], cold["provider_client_baseline_cpu_ms"]
    low, high = cold["baseline_cpu_spread_ms"]
    lines = [
        f"Benchmark of {results['project']} (Python {results['python']}, {results['machine']}; "
        f"stack from {results['stack_read_from']}{'; quick' if results['quick'] else ''})",
        *(
            [f"Load average before the run (1, 5, 15 min): {', '.join(map(str, results['load_average']))}"]
            if "load_average" in results
            else []
        ),
        "",
        f"Cold start, median of {cold['rounds']} fresh interpreters, code from {cold['code_from']};",
        "judged by CPU time: the median of the rounds' ratios, each over the baseline run in the same round",
        "(the rounds' spread in brackets; wall time for information)",
        *(
            [
                f"  WARNING: {cold['sdk']} has no bytecode here, so each probe compiled it: "
                "reinstall with pip (make install), or python -m compileall the environment"
            ]
            if cold.get("sdk_without_bytecode")
            else []
        ),
        f"  {'':<40}   wall ms   CPU ms   CPU x baseline (spread)  wall x",
        f"  {'python -c pass':<40} {floor_ms:>9.1f} {floor_cpu:>8.1f}",
        f"  {labels['baseline']:<40} {baseline_ms:>9.1f} {baseline_cpu:>8.1f}   "
        f"1.00x (CPU {low:.0f}-{high:.0f} ms)",
    ]
    if "paused_baseline_ms" in cold:  # AWS: the baseline's references
        lines += [
            f"  {'the same, collector paused (reference)':<40} {cold['paused_baseline_ms']:>9.1f} "
            f"{cold['paused_baseline_cpu_ms']:>8.1f}   {cold['paused_baseline_cpu_ms'] / baseline_cpu:.2f}x",
            f"  {labels['reference']:<40} {cold['reference_ms']:>9.1f} {'':>8}   "
            f"adds {cold['reference_adds_ms']:.0f} ms ({cold['reference_adds_cpu_ms']:.0f} ms CPU)",
        ]
    for name, row in cold["functions"].items():
        label = f"{name} ({row['kind']}) {labels.get('init', 'init')}"
        if "import_ms" in row:
            label += f"; import {row['import_ms']:.0f}"
        low, high = row["cpu_ratio_spread"]
        ratios = (
            f"{row['cpu_ratio_to_baseline']:.2f}x ({low:.2f}-{high:.2f})  {row['ratio_to_baseline']:.2f}x"
        )
        again = f", {row['rounds']} rounds (borderline)" if row["repeated"] else ""
        target = f"target <= {row['target_ratio']}x {verdict(row['met'])}{again}"
        if "cpu_ratio_to_paused_baseline" in row:
            target += f"; {row['cpu_ratio_to_paused_baseline']:.2f}x of the reference"
        times = f"{row['init_ms']:>9.1f} {row['init_cpu_ms']:>8.1f}"
        lines.append(f"  {label:<40} {times}   {ratios:<26} {target}")
        if "every_module_ms" in row:
            label = f"{name}, every module's service built"
            ratio = f"{row['every_module_cpu_ratio_to_baseline']:.2f}x"
            every = f"{row['every_module_ms']:>9.1f} {row['every_module_cpu_ms']:>8.1f}"
            lines.append(f"  {label:<40} {every}   {ratio:<26} (for information)")
        if "first_client_ms" in row:
            label = f"{name}, {labels['first_client']}"
            low, high = row["first_client_cpu_ratio_spread"]
            ratio = f"{row['first_client_cpu_ratio_to_baseline']:.2f}x ({low:.2f}-{high:.2f})"
            times = f"{row['first_client_ms']:>9.1f} {row['first_client_cpu_ms']:>8.1f}"
            lines.append(f"  {label:<40} {times}   {ratio:<26} (for information)")
    lines += ["", labels["package"]]
    package = results["package"]
    if "skipped" in package:
        lines.append(f"  skipped: {package['skipped']}")
    else:
        for name, row in package["functions"].items():
            size = f"{row['bytes'] / 1000:,.1f} KB"
            target = ""
            if "target_bytes" in row:  # AWS: a size limit, and Powertools from its layer
                limit = f"< {row['target_bytes'] / 1000:,.0f} KB"
                target = f"{limit}, Powertools {row['powertools']} {verdict(row['met'])}"
            compiled = f"{row['bytecode_files']} .pyc" if row["bytecode_files"] else "no bytecode"
            if row["bytecode_files"] and not row["bytecode_hash_checked"]:
                compiled += " (stale: not hash-checked)"
            label = f"{name} ({row['kind']})"
            lines.append(f"  {label:<30} {row['artifact']:<46} {size:>12}  {compiled:>11}  {target}")
    lines += ["", labels["requests"]]
    for name, row in results["requests"].items():
        if "transactions" in row:  # one transaction per money operation, whatever the requests around it
            counted = f"{row['total']:>2} requests, {row['transactions']} {labels['write']}"
            counted += f" (target {row['target_transactions']} {labels['write']}) {verdict(row['met'])}"
            lines.append(f"  {name:<11} {counted}: {', '.join(row['requests'])}")
            continue
        counted = f"{row['total']:>2} requests, {row['dynamodb_writes']} write"
        if row["met"] is not None:
            counted += (
                f" (target <= {row['target_requests']} requests, {row['target_writes']} write) "
                f"{verdict(row['met'])}"
            )
        lines.append(f"  {name:<11} {counted}: {', '.join(row['requests'])}")
    if not results["requests"]:
        lines.append("  none: this project has no wallet")
    if "recorded_aws" in results:
        lines += ["", *recorded_aws(results["recorded_aws"])]
    if "app_cpu" not in results:
        return "\n".join(lines)
    cpu = results["app_cpu"]
    latency = results["latency"]
    lines += [
        "",
        f"The app's own CPU per {cpu['operation']} (in-memory adapters, no I/O; {cpu['operations']} timed)",
        f"  {cpu['cpu_ms_per_operation']:.2f} ms CPU ({cpu['wall_ms_per_operation']:.2f} ms wall)",
        "",
        f"Latency of a {latency['operation']}: {latency['clients']} concurrent clients for "
        f"{latency['seconds']:g} s {labels['latency']}",
        f"  p50 {latency['p50_ms']:.1f} ms, p99 {latency['p99_ms']:.1f} ms; "
        f"{latency['operations']} {latency['operation']}s, {latency['per_second']:.1f} /s",
    ]
    return "\n".join(lines)


def recorded_aws(recorded: dict[str, Any]) -> list[str]:
    """The AWS flavour's cold starts as its docs record them: for comparison, not measured in this run."""
    runs = len(recorded["baseline_cpu_ms"])
    lines = [
        f"The AWS flavour, as recorded ({recorded['recorded']}, commit {recorded['commit']}, {runs} runs; "
        "not measured now)",
        f"  {recorded['baseline']:<40} {' / '.join(map(str, recorded['baseline_cpu_ms']))} CPU ms",
    ]
    for name, row in recorded["functions"].items():
        figures = " / ".join(
            f"{ratio:.2f}x ({low:.2f}-{high:.2f})"
            for ratio, (low, high) in zip(row["cpu_ratio"], row["spread"], strict=True)
        )
        lines.append(f"  {name + ' (' + row['kind'] + ')':<40} {figures}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one round, half-second runs: proves it works")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--output", type=Path, default=RESULTS_FILE, help="default: bench-results.json")
    args = parser.parse_args(argv)
    results = provider("measure").measure(QUICK if args.quick else FULL, args.stage)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(report(results))
    print(f"\nWritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
