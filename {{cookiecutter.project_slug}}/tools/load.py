"""Sustained load on the local run (`make dev`'s servers): many clients, one player, peak memory.

`python -m tools.load` starts what `make dev` starts (tools/local.py; on AWS the moto server with the stack's
resources, the API behind the local JWT issuer, the workers), then CLIENTS threads each send
OPERATIONS requests for the same player over HTTP, as fast as the API answers: the busiest request
of the project's modules (tools/modules/: the wallet's bet, then a win on it, in turn; without a wallet
a sign-in; with neither, a health check).
It prints operations per second, the p50 and p99 of a round trip, the answers that were not the
expected ones, and the peak memory (resident set) of each local server, then stops them all.
docs/benchmarks.md gives the figures it measured.

Memory is read from /proc (Linux): elsewhere the peak is not reported.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tools.bench import percentile
from tools.journey import Journey, StepFailed
from tools.local import LocalRun, provider
from tools.modules import Setup, busiest, run_in_place

CLIENTS = 16
OPERATIONS = 300
# Peak memory the local moto server must stay under at the default load (docs/benchmarks.md).
MOTO_MEMORY_LIMIT_MB = 2048
SAMPLE_SECONDS = 0.5


def resident_mb(pid: int) -> tuple[float, float] | None:
    """The process's resident set now and its peak (VmRSS, VmHWM) in MB, or None without /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    try:
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (KeyError, ValueError):
        return None


class MemoryWatch:
    """Samples the servers' resident sets while the load runs; keeps each one's peak."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak_mb: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()  # the kernel's own high-water mark catches a peak between two samples

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._read()

    def _read(self) -> None:
        for name, pid in self.pids.items():
            figures = resident_mb(pid)
            if figures is not None:
                self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), *figures)


def health(journey: Journey, _client: int, _number: int) -> None:
    """The load of a project with no module that has a busier request."""
    journey.call("GET", "/health", None, token=journey.player_token, expect=200)


def load(run: LocalRun, clients: int, operations: int) -> dict[str, Any]:
    """The load itself: one player's setup, then `clients` threads of `operations` requests each."""
    journey = Journey(run)
    journey.sign_in()
    setup: list[Setup] = []
    for part in journey.parts:
        if part.load_setup is not None:
            setup += part.load_setup(journey, 4 * clients * operations)
    run_in_place(setup)
    workload = busiest(journey.parts)
    operation = health if workload is None else workload.load
    latencies: list[list[float]] = [[] for _ in range(clients)]
    refusals: Counter[str] = Counter()
    start = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        start.wait()
        for sequence in range(operations):
            sent = time.perf_counter()
            try:
                operation(journey, number, sequence)
            except (StepFailed, OSError) as error:
                refusals[str(error)[:160]] += 1
            latencies[number].append((time.perf_counter() - sent) * 1000)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    with MemoryWatch(run.process_ids()) as memory:
        start.wait()
        started = time.monotonic()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    every = [latency for one in latencies for latency in one]
    return {
        "clients": clients,
        "operations_per_client": operations,
        "seconds": round(elapsed, 1),
        "per_second": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 0.50), 1),
        "p99_ms": round(percentile(every, 0.99), 1),
        "unexpected_answers": sum(refusals.values()),
        "unexpected_examples": dict(refusals.most_common(3)),
        "peak_memory_mb": {name: round(peak, 1) for name, peak in memory.peak_mb.items()},
    }


def report(results: dict[str, Any]) -> str:
    lines = [
        f"{results['clients']} clients x {results['operations_per_client']} operations on one player "
        f"in {results['seconds']} s: {results['per_second']} /s, "
        f"p50 {results['p50_ms']} ms, p99 {results['p99_ms']} ms",
        f"Unexpected answers: {results['unexpected_answers']}",
    ]
    lines += [f"  {count} x {example}" for example, count in results["unexpected_examples"].items()]
    if results["peak_memory_mb"]:
        lines.append("Peak memory (resident set) of the local servers:")
        for name, peak in results["peak_memory_mb"].items():
            limit = f"  (limit {MOTO_MEMORY_LIMIT_MB} MB)" if name == "moto server" else ""
            lines.append(f"  {name:<48} {peak:>8.1f} MB{limit}")
    else:
        lines.append("Peak memory: not reported (no /proc on this system)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Start the local run, load it, stop it; 1 if an answer was unexpected or the moto server too big."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=CLIENTS, help=f"default {CLIENTS}")
    parser.add_argument(
        "--operations", type=int, default=OPERATIONS, help=f"per client, default {OPERATIONS}"
    )
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--output", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.operations < 1:
        parser.error("--clients and --operations: give whole numbers of 1 or more")
    with tempfile.TemporaryFile(mode="w+") as log, provider().local_run(stage=args.stage, log=log) as run:
        print(f"Load: {args.clients} clients x {args.operations} operations on one player ...", flush=True)
        results = load(run, args.clients, args.operations)
    if args.output is not None:
        args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    moto_peak = results["peak_memory_mb"].get("moto server", 0.0)
    return 1 if results["unexpected_answers"] or moto_peak > MOTO_MEMORY_LIMIT_MB else 0


if __name__ == "__main__":
    sys.exit(main())
