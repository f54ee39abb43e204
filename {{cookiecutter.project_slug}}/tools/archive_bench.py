"""What `make bench` measures alike on the clouds deployed from archives with Terraform (GCP, Azure).

tools/<cloud>/bench.py names the cloud's functions, their archives, its SDK baseline and its store;
this file measures them the same way on both, in the shapes tools/bench.py's table reads:

- Cold start: each function imported in a fresh interpreter as its runtime loads it, from its archive
  as `make package` wrote it (unpacked: its modules and their bytecode, nothing else of the project)
  with the project's environment standing in for the packages the runtime installs, next to the
  cloud SDK's baseline run in the same rounds, interleaved; judged by CPU time, as on AWS.
- Archives: each function's size and bytecode files.
- Requests: each money operation of the wallet's domain on the cloud's ledger store against the local
  stand-in (the Firestore emulator, Azurite), every request the store's client sends counted by name.
- The AWS flavour's figures, as recorded in docs/benchmarks.md (not measured now).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tools.bench import (
    QUICK,
    TARGET_RATIO,
    Mode,
    Probe,
    Samples,
    cpu_ratio,
    is_borderline,
    measure_cold_starts,
    meets_target,
    ratio_spread,
    round_ratios,
    sdk_without_bytecode,
)
from tools.function_files import is_hash_checked

FLOOR = "pass"
# Every probe ends when its import is done: a serving instance never shuts its interpreter down then.
END_OF_INIT = "\nimport os\nos._exit(0)"
# The money operations counted, in an order where each can succeed (the rollback's bet is its own).
MONEY_OPERATIONS = ("deposit", "withdrawal", "bet", "win", "rollback")
# A money operation's write: one transaction (the ledger entry, its events and the balance together).
TARGET_TRANSACTIONS = 1

# The AWS flavour's figures as docs/benchmarks.md records them: two `make bench` runs of the default
# project (eu-west-1), CPU time over the boto3 + DynamoDB client baseline, median of 10 rounds (spread).
RECORDED_AWS: dict[str, Any] = {
    "recorded": "2026-12-04",
    "commit": "0639180",
    "source": "docs/benchmarks.md, 'With the SDK's bytecode' (two runs of make bench)",
    "baseline": "import boto3; boto3.client('dynamodb')",
    "baseline_cpu_ms": [271.6, 268.9],
    "functions": {
        "api": {"kind": "api", "cpu_ratio": [1.32, 1.33], "spread": [[1.00, 1.52], [0.91, 1.51]]},
        "auditTrail": {"kind": "worker", "cpu_ratio": [1.03, 1.00], "spread": [[0.87, 1.41], [0.75, 1.10]]},
        "auditArchive": {"kind": "worker", "cpu_ratio": [1.07, 1.04], "spread": [[0.88, 1.26], [0.72, 1.18]]},
        "sessionActivity": {
            "kind": "worker",
            "cpu_ratio": [0.98, 0.99],
            "spread": [[0.87, 1.20], [0.72, 1.13]],
        },
        "promotions": {"kind": "worker", "cpu_ratio": [1.03, 0.97], "spread": [[0.89, 1.25], [0.70, 1.26]]},
        "notifications": {
            "kind": "worker",
            "cpu_ratio": [1.03, 1.01],
            "spread": [[0.83, 1.15], [0.74, 1.24]],
        },
        "leaderboards": {"kind": "worker", "cpu_ratio": [1.07, 1.01], "spread": [[0.94, 1.23], [0.72, 1.24]]},
        "ggrTotals": {"kind": "worker", "cpu_ratio": [0.99, 0.95], "spread": [[0.85, 1.12], [0.71, 1.26]]},
    },
}


@dataclass(frozen=True)
class ArchivedFunction:
    """A function (GCP) or function app (Azure) as `make package` built it, and how its runtime loads it."""

    name: str
    kind: str  # "api" or "worker" (the targets of tools/bench.py)
    archive: Path
    # Run with `python -c` in the unpacked archive: the import its runtime does before the first request.
    code: str
    # The same, then the storage client its first request builds (for information: not judged).
    with_client: str
    args: tuple[str, ...] = ()


def header(stack_from: str, mode: Mode, labels: dict[str, str]) -> dict[str, Any]:
    """The results' first fields: what was measured, where, when."""
    return {
        "project": "{{ cookiecutter.project_slug }}",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "quick": mode is QUICK,
        "stack_read_from": stack_from,
        "labels": labels,
        "recorded_aws": RECORDED_AWS,
    }


def missing_archives(functions: list[ArchivedFunction]) -> list[str]:
    return [str(function.archive) for function in functions if not function.archive.is_file()]


@contextmanager
def unpacked(functions: list[ArchivedFunction]) -> Iterator[dict[str, Path]]:
    """Each function's archive unpacked in a scratch folder: function name -> its root (PYTHONPATH)."""
    with tempfile.TemporaryDirectory(prefix="bench-code-") as scratch:
        roots = {}
        for function in functions:
            root = Path(scratch) / function.name
            with zipfile.ZipFile(function.archive) as bundle:
                bundle.extractall(root)
            roots[function.name] = root
        yield roots


def cold_starts(
    functions: list[ArchivedFunction], baseline: str, base_env: dict[str, str], mode: Mode, sdk: str
) -> dict[str, Any]:
    """Every function's import against the floor and the SDK baseline, interleaved, judged by CPU."""
    python = sys.executable
    env = {key: value for key, value in base_env.items() if key != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # nothing a probe compiles is kept for the next one
    with unpacked(functions) as roots:
        probes = [
            Probe("floor", [python, "-c", FLOOR + END_OF_INIT], env),
            Probe("baseline", [python, "-c", baseline + END_OF_INIT], env),
        ]
        for function in functions:
            own = {**env, "PYTHONPATH": str(roots[function.name])}
            probes.append(
                Probe(function.name, [python, "-c", function.code + END_OF_INIT, *function.args], own)
            )
            with_client = [python, "-c", function.with_client + END_OF_INIT, *function.args]
            probes.append(Probe(f"{function.name}:client", with_client, own))
        samples = measure_cold_starts(probes, mode.rounds, warm_up=mode.warm_up)
        repeated = [
            function.name
            for function in functions
            if is_borderline(
                cpu_ratio(samples[function.name], samples["baseline"]), TARGET_RATIO[function.kind]
            )
        ]
        if repeated:
            print(f"Borderline, measured again: {', '.join(repeated)} ...", flush=True)
            again = [probes[1], *(probe for probe in probes if probe.name in repeated)]
            for name, extra in measure_cold_starts(again, mode.rounds, warm_up=False).items():
                samples[name].wall_ms.extend(extra.wall_ms)
                samples[name].cpu_ms.extend(extra.cpu_ms)
    return cold_start_results(functions, samples, mode.rounds, repeated, baseline, sdk)


def cold_start_results(
    functions: list[ArchivedFunction],
    samples: dict[str, Samples],
    rounds: int,
    repeated: list[str],
    baseline_code: str,
    sdk: str,
) -> dict[str, Any]:
    base = samples["baseline"]
    rows = {}
    for function in functions:
        init = samples[function.name]
        ratio = cpu_ratio(init, base)
        low, high = ratio_spread(init, base)
        target = TARGET_RATIO[function.kind]
        rows[function.name] = {
            "kind": function.kind,
            "init_ms": round(init.wall, 1),
            "init_cpu_ms": round(init.cpu, 1),
            "ratio_to_baseline": round(init.wall / base.wall, 2),
            "cpu_ratio_to_baseline": round(ratio, 2),
            "cpu_ratio_spread": [round(low, 2), round(high, 2)],
            "cpu_ratios_by_round": [round(value, 3) for value in round_ratios(init, base)],
            "rounds": len(init.cpu_ms),
            "repeated": function.name in repeated,
            "target_ratio": target,
            "judged_by": "cpu",
            "met": meets_target(round(ratio, 2), target),
        }
        client = samples[f"{function.name}:client"]
        low, high = ratio_spread(client, base)
        rows[function.name] |= {
            "first_client_ms": round(client.wall, 1),
            "first_client_cpu_ms": round(client.cpu, 1),
            "first_client_cpu_ratio_to_baseline": round(cpu_ratio(client, base), 2),
            "first_client_cpu_ratio_spread": [round(low, 2), round(high, 2)],
        }
    return {
        "rounds": rounds,
        "statistic": "median",
        "judged_by": "cpu",
        "code_from": "packaged archives",
        "sdk": sdk,
        "sdk_without_bytecode": sdk_without_bytecode(sdk),
        "floor_ms": round(samples["floor"].wall, 1),
        "floor_cpu_ms": round(samples["floor"].cpu, 1),
        "provider_client_baseline": baseline_code,
        "provider_client_baseline_ms": round(base.wall, 1),
        "provider_client_baseline_cpu_ms": round(base.cpu, 1),
        "baseline_cpu_spread_ms": [round(min(base.cpu_ms), 1), round(max(base.cpu_ms), 1)],
        "functions": rows,
    }


def archive_sizes(functions: list[ArchivedFunction]) -> dict[str, Any]:
    """Each archive's size and the bytecode it carries (no target: the runtime installs the packages)."""
    rows = {}
    for function in functions:
        with zipfile.ZipFile(function.archive) as bundle:
            bytecode = [name for name in bundle.namelist() if name.endswith(".pyc")]
            checked = all(is_hash_checked(bundle.read(name)) for name in bytecode)
        rows[function.name] = {
            "kind": function.kind,
            "artifact": function.archive.name,
            "bytes": function.archive.stat().st_size,
            "bytecode_files": len(bytecode),
            "bytecode_hash_checked": bool(bytecode) and checked,
        }
    return {"functions": rows}


def money_operations(wallet: Any, player: str, tag: str) -> list[tuple[str, Callable[[], Any]]]:
    """The wallet's money operations once each, in MONEY_OPERATIONS's order (the rollback's bet first)."""
    from {{ cookiecutter.package_name }}.domain.money import (
        Money,
    )

    def amount(minor: int) -> Money:
        return Money.of(minor, "EUR")

    return [
        ("deposit", lambda: wallet.deposit(player, f"dep-{tag}", amount(5_000), correlation_id=tag)),
        ("withdrawal", lambda: wallet.withdraw(player, f"wd-{tag}", amount(500), correlation_id=tag)),
        ("bet", lambda: wallet.place_bet(player, f"bet-{tag}", amount(200), correlation_id=tag)),
        (
            "win",
            lambda: wallet.settle_win(player, f"win-{tag}", f"bet-{tag}", amount(350), correlation_id=tag),
        ),
        (
            "bet for the rollback",
            lambda: wallet.place_bet(player, f"bet2-{tag}", amount(100), correlation_id=tag),
        ),
        ("rollback", lambda: wallet.rollback_bet(player, f"rb-{tag}", f"bet2-{tag}", correlation_id=tag)),
    ]


def count_requests(
    wallet: Any, take: Callable[[], list[str]], is_transaction: Callable[[str], bool]
) -> dict[str, Any]:
    """Each money operation's requests (by name, in order) and its transactions: one warm-up player's
    operations first (the client's first connection), then a counted player's."""
    for _, operation in money_operations(wallet, "bench-warm-up", "warm"):
        operation()
    take()
    rows: dict[str, Any] = {}
    for name, operation in money_operations(wallet, "bench-counted", "counted"):
        operation()
        requests = take()
        if name not in MONEY_OPERATIONS:
            continue
        transactions = sum(1 for request in requests if is_transaction(request))
        rows[name] = {
            "requests": requests,
            "total": len(requests),
            "transactions": transactions,
            "target_transactions": TARGET_TRANSACTIONS,
            "met": transactions == TARGET_TRANSACTIONS,
        }
    return rows


def wallet_enabled() -> bool:
    """Whether this project has the wallet module (its money operations are counted only then)."""
    from {{ cookiecutter.package_name }}.registry import (
        enabled,
    )

    return enabled("wallet")
