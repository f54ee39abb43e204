"""`make bench` on Azure in its quick mode: every figure is there, and a money operation is one entity group
transaction.

Counts and structure only: the times depend on the machine, so no test asserts one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.azure.azurite import azurite_script
from tools.azure.bench import functions
from tools.project import PROJECT_ROOT

from {{ cookiecutter.package_name }} import registry

TIMEOUT_SECONDS = 120
# A money operation on the Table Storage store: the snapshot's query, then one entity group transaction.
ONE_TRANSACTION = ["query", "entity group transaction ($batch)"]


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The results and the printed table of `make bench BENCH_ARGS=--quick` (package, then the bench)."""
    if azurite_script() is None:
        pytest.skip(
            "Azurite is not installed: run `npm ci` in tools/azurite, or set AZURITE (its azurite.js)"
        )
    output = Path(tmp_path_factory.mktemp("bench")) / "bench-results.json"
    for command in (["tools.azure.package"], ["tools.bench", "--quick", "--output", str(output)]):
        result = subprocess.run(
            [sys.executable, "-m", *command],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(output.read_text(encoding="utf-8")), result.stdout


def test_every_built_app_is_indexed_next_to_the_table_client_baseline(
    bench: tuple[dict[str, Any], str],
) -> None:
    cold = bench[0]["cold_start"]

    assert set(cold["functions"]) == {function.name for function in functions()}
    assert "TableClient.from_connection_string(" in cold["provider_client_baseline"]
    assert 0 < cold["floor_cpu_ms"] < cold["provider_client_baseline_cpu_ms"]
    assert cold["code_from"] == "packaged archives"
    for name, row in cold["functions"].items():
        assert row["target_ratio"] == (1.4 if name == "api" else 1.1)
        assert row["judged_by"] == "cpu"
        assert row["init_cpu_ms"] > 0
        low, high = row["cpu_ratio_spread"]
        assert low <= row["cpu_ratio_to_baseline"] <= high
        assert row["met"] == (row["cpu_ratio_to_baseline"] <= row["target_ratio"])


def test_each_archive_is_measured(bench: tuple[dict[str, Any], str]) -> None:
    rows = bench[0]["package"]["functions"]

    assert {name: row["bytes"] for name, row in rows.items()} == {
        function.name: function.archive.stat().st_size for function in functions()
    }


def test_a_money_operation_is_one_entity_group_transaction(bench: tuple[dict[str, Any], str]) -> None:
    requests = bench[0]["requests"]

    if not registry.enabled("wallet"):
        assert requests == {}
        return
    assert list(requests) == ["deposit", "withdrawal", "bet", "win", "rollback"]
    for name, row in requests.items():
        assert row["requests"] == ONE_TRANSACTION, name
        assert (row["transactions"], row["met"]) == (1, True), name


def test_the_table_names_every_section_and_the_aws_figures_as_recorded(
    bench: tuple[dict[str, Any], str],
) -> None:
    table = bench[1]

    for section in (
        "azure.data.tables + TableClient (baseline)",
        "judged by CPU",
        "Archives (make package",
        "Table Storage requests per money operation",
        "The AWS flavour, as recorded",
        "not measured now",
    ):
        assert section in table
