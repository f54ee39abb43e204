"""`make bench` in its quick mode: every figure is measured, and a money operation is one write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tools.stack import PROJECT_ROOT, load

BENCH_TIMEOUT_SECONDS = 300


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

    floor_ms, boto3_ms = cold["baselines_ms"].values()
    assert 0 < floor_ms < boto3_ms
    assert set(cold["functions"]) == {function.name for function in load().functions}
    for row in cold["functions"].values():
        assert row["import_ms"] > 0
        assert row["init_ms"] > 0
        assert row["init_cpu_ms"] > 0
        assert row["ratio_to_boto3"] == pytest.approx(row["init_ms"] / boto3_ms, abs=0.01)
    # The API's figure is its first request's; the first requests of every module's routes, for information.
    assert cold["functions"]["api"]["every_module_ms"] > 0
{%- if cookiecutter.module_wallet %}


@pytest.mark.parametrize("operation", ["deposit", "bet", "win", "rollback"])
def test_a_money_operation_is_one_dynamodb_write(bench: tuple[dict[str, Any], str], operation: str) -> None:
    counted = bench[0]["requests"][operation]

    assert counted["dynamodb_writes"] == 1
    assert "dynamodb.TransactWriteItems" in counted["requests"]
    # Its event goes out with the ledger entry (the outbox), not on the player's path.
    assert "eventbridge.PutEvents" not in counted["requests"]
{%- endif %}
{%- if cookiecutter.module_sessions %}


def test_sign_in_saves_the_session_and_announces_it(bench: tuple[dict[str, Any], str]) -> None:
    counted = bench[0]["requests"]["sign-in"]

    assert counted["dynamodb_writes"] == 1
    assert "eventbridge.PutEvents" in counted["requests"]
{%- endif %}


def test_throughput_is_measured_against_a_raw_write_loop(bench: tuple[dict[str, Any], str]) -> None:
    throughput = bench[0]["throughput"]

    assert throughput["clients"] == 8
    assert throughput["app_per_second"] > 0
    assert throughput["raw_conditional_writes_per_second"] > 0
    assert throughput["ratio"] == pytest.approx(
        throughput["app_per_second"] / throughput["raw_conditional_writes_per_second"], rel=0.02
    )


def test_the_table_names_every_section(bench: tuple[dict[str, Any], str]) -> None:
    results, table = bench

    for section in ("Cold start", "Package", "AWS requests per operation", "Throughput"):
        assert section in table
    if "skipped" not in results["package"]:
        assert all(row["powertools"] == "layer" for row in results["package"]["functions"].values())
