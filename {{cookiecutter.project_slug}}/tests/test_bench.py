"""`make bench` in its quick mode: every figure is measured, and a money operation is one write.

The verdicts are checked on made-up figures: a cold start is judged by its CPU time, not wall time.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest
from tests.expected import busiest, counted_operations
from tools.aws.stack import load
from tools.bench import (
    MONEY_OPERATIONS,
    TARGET_RATIO,
    ApiDriver,
    Samples,
    cpu_ratio,
    is_borderline,
    meets_target,
    operations,
    percentile,
    ratio_spread,
    round_ratios,
    sdk_without_bytecode,
)
from tools.modules import ModuleTools, Operation
from tools.project import PROJECT_ROOT

from {{ cookiecutter.package_name }} import registry

BENCH_TIMEOUT_SECONDS = 300


def test_an_sdk_without_bytecode_is_told_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Where PYTHONDONTWRITEBYTECODE is set, an SDK installed without its bytecode is compiled by every
    # probe, a cold start no cloud runtime has: the report warns of it.
    package = tmp_path / "bench_probe_sdk"
    package.mkdir()
    (package / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert sdk_without_bytecode("bench_probe_sdk")
    import py_compile

    py_compile.compile(str(package / "__init__.py"), doraise=True)
    assert not sdk_without_bytecode("bench_probe_sdk")


def test_a_cold_start_is_judged_by_cpu_even_when_its_wall_time_looks_fine() -> None:
    # A loaded machine: the function waited less than the baseline but worked 1.3x as much.
    baseline = Samples(wall_ms=[400.0, 410.0, 420.0], cpu_ms=[200.0, 200.0, 200.0])
    worker = Samples(wall_ms=[380.0, 390.0, 400.0], cpu_ms=[260.0, 260.0, 260.0])

    ratio = cpu_ratio(worker, baseline)

    assert ratio == pytest.approx(1.3)
    assert worker.wall / baseline.wall < TARGET_RATIO["worker"]
    assert not meets_target(ratio, TARGET_RATIO["worker"])


def test_a_cold_start_slow_on_the_wall_but_light_on_cpu_meets_its_target() -> None:
    baseline = Samples(wall_ms=[300.0], cpu_ms=[250.0])
    api = Samples(wall_ms=[900.0], cpu_ms=[340.0])  # 3x on the wall (the machine was busy), 1.36x CPU

    assert meets_target(cpu_ratio(api, baseline), TARGET_RATIO["api"])


def test_targets_are_the_api_at_1_4_and_every_worker_at_1_1() -> None:
    assert TARGET_RATIO["api"] == 1.4
    assert TARGET_RATIO["worker"] == 1.1


def test_a_ratio_near_its_target_is_borderline_and_measured_again() -> None:
    assert is_borderline(1.12, 1.1)
    assert is_borderline(1.06, 1.1)
    assert not is_borderline(1.2, 1.1)
    assert not is_borderline(0.9, 1.1)


def test_a_busy_moment_in_one_round_moves_that_rounds_ratio_not_the_verdict() -> None:
    # The second round's function ran while the machine was busy; its baseline, a moment before, did not.
    baseline = Samples(wall_ms=[1.0, 1.0, 1.0], cpu_ms=[100.0, 100.0, 300.0])
    worker = Samples(wall_ms=[1.0, 1.0, 1.0], cpu_ms=[105.0, 315.0, 315.0])

    assert worker.cpu / baseline.cpu == pytest.approx(3.15)  # the two medians' ratio
    assert cpu_ratio(worker, baseline) == pytest.approx(1.05)
    assert meets_target(cpu_ratio(worker, baseline), TARGET_RATIO["worker"])


def test_a_borderline_functions_extra_rounds_pair_with_the_baselines_extra_rounds() -> None:
    baseline = Samples(wall_ms=[1.0] * 4, cpu_ms=[100.0, 200.0, 400.0, 100.0])  # two rounds, two again
    repeated = Samples(wall_ms=[1.0] * 4, cpu_ms=[110.0, 220.0, 440.0, 110.0])
    measured_once = Samples(wall_ms=[1.0] * 2, cpu_ms=[120.0, 240.0])

    assert round_ratios(repeated, baseline) == pytest.approx([1.1, 1.1, 1.1, 1.1])
    assert round_ratios(measured_once, baseline) == pytest.approx([1.2, 1.2])


def test_the_spread_pairs_each_round_with_the_baselines_round() -> None:
    baseline = Samples(wall_ms=[1.0, 1.0, 1.0], cpu_ms=[100.0, 200.0, 100.0])
    worker = Samples(wall_ms=[1.0, 1.0, 1.0], cpu_ms=[110.0, 210.0, 120.0])

    low, high = ratio_spread(worker, baseline)

    assert (low, high) == pytest.approx((1.05, 1.2))


def test_percentiles_are_nearest_rank() -> None:
    latencies = [float(value) for value in range(1, 101)]

    assert percentile(latencies, 0.50) == 50.0
    assert percentile(latencies, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0


def test_an_operation_two_modules_bring_alike_is_counted_once() -> None:
    def grant(*_: object) -> list[Operation]:
        return [Operation(300, "grant", str)]

    parts = [
        ModuleTools(bench_operations=grant),
        ModuleTools(bench_operations=lambda *_: [Operation(0, "sign-in", str), Operation(400, "board", str)]),
        ModuleTools(bench_operations=grant),
    ]

    counted = operations(parts, cast(ApiDriver, None), "player-1", "tag")

    assert [name for name, _ in counted] == ["sign-in", "grant", "board"]


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The results and the printed table of one quick run."""
    output = Path(tmp_path_factory.mktemp("bench")) / "bench-results.json"
    result = subprocess.run(
        [sys.executable, "-m", "tools.bench", "--quick", "--output", str(output)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=BENCH_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(output.read_text(encoding="utf-8")), result.stdout


def test_cold_starts_are_measured_for_every_function_next_to_the_baselines(
    bench: tuple[dict[str, Any], str],
) -> None:
    cold = bench[0]["cold_start"]

    baseline_ms = cold["provider_client_baseline_ms"]
    assert cold["provider_client_baseline_cpu_ms"] > 0
    assert 0 < cold["floor_ms"] < baseline_ms
    # The provider's own baseline, its code and its label in the results, the label in the table.
    assert cold["provider_client_baseline"]
    assert cold["provider_client_baseline_label"] in bench[1]
    assert cold["judged_by"] == "cpu"
    assert set(cold["functions"]) == {function.name for function in load().functions}
    for row in cold["functions"].values():
        assert row["import_ms"] > 0
        assert row["init_ms"] > 0
        assert row["init_cpu_ms"] > 0
        assert row["ratio_to_baseline"] == pytest.approx(row["init_ms"] / baseline_ms, abs=0.01)
        # Judged on the median of the rounds' ratios, each round's function over that round's baseline.
        by_round = row["cpu_ratios_by_round"]
        assert len(by_round) == row["rounds"]
        assert row["cpu_ratio_to_baseline"] == pytest.approx(statistics.median(by_round), abs=0.01)
        assert row["cpu_ratio_spread"] == pytest.approx([min(by_round), max(by_round)], abs=0.01)
        assert row["met"] == (row["cpu_ratio_to_baseline"] <= row["target_ratio"])
        # For information, never the verdict: over the baseline's work with the collector paused.
        assert row["cpu_ratio_to_paused_baseline"] > 0
    assert cold["paused_baseline_cpu_ms"] > 0
    # The API's figure is its init's; the first requests of every module's routes, for information.
    assert cold["functions"]["api"]["every_module_ms"] > 0


def test_the_bench_counts_each_modules_operations(bench: tuple[dict[str, Any], str]) -> None:
    assert list(bench[0]["requests"]) == counted_operations()


def test_the_load_repeats_the_busiest_request(bench: tuple[dict[str, Any], str]) -> None:
    assert bench[0]["latency"]["operation"] == busiest()
    assert bench[0]["app_cpu"]["operation"] == busiest()


# A module's checks of the one quick run (the fixture above) are defined when the module is on: the
# run is too slow to repeat in a file per module.
if registry.enabled("wallet"):

    @pytest.mark.parametrize("operation", [name for name in MONEY_OPERATIONS if name != "grant"])
    def test_a_money_operation_is_one_dynamodb_write(
        bench: tuple[dict[str, Any], str], operation: str
    ) -> None:
        counted = bench[0]["requests"][operation]

        assert counted["dynamodb_writes"] == 1
        assert "dynamodb.TransactWriteItems" in counted["requests"]
        # Its event goes out with the ledger entry (the outbox), not on the player's path.
        assert "eventbridge.PutEvents" not in counted["requests"]
        assert counted["total"] == len(counted["requests"])
        assert counted["target_requests"] == 2


# Bonuses are granted through the hosted wallet; in the hybrid mode the operator's wallet pays them.
if registry.enabled("wallet") and (registry.enabled("promotions") or registry.enabled("leaderboards")):

    def test_a_bonus_grant_is_counted_like_the_other_money_operations(
        bench: tuple[dict[str, Any], str],
    ) -> None:
        counted = bench[0]["requests"]["grant"]

        assert counted["dynamodb_writes"] == 1
        assert "dynamodb.TransactWriteItems" in counted["requests"]


if registry.enabled("sessions"):

    def test_sign_in_saves_the_session_and_announces_it(bench: tuple[dict[str, Any], str]) -> None:
        counted = bench[0]["requests"]["sign-in"]

        assert counted["dynamodb_writes"] == 1
        assert "eventbridge.PutEvents" in counted["requests"]


def test_the_apps_own_cpu_and_the_latency_under_load_are_measured(bench: tuple[dict[str, Any], str]) -> None:
    results = bench[0]

    assert results["app_cpu"]["cpu_ms_per_operation"] > 0
    latency = results["latency"]
    assert latency["clients"] == 8
    assert latency["operations"] > 0
    assert 0 < latency["p50_ms"] <= latency["p99_ms"]
    assert "throughput" not in results  # the raw PutItem loop was no fair comparison


def test_the_table_names_every_section(bench: tuple[dict[str, Any], str]) -> None:
    results, table = bench

    for section in ("Cold start", "judged by CPU", "Package", "AWS requests per operation", "own CPU", "p99"):
        assert section in table
    if "skipped" not in results["package"]:
        assert all(row["powertools"] == "layer" for row in results["package"]["functions"].values())
