"""The default project runs on this machine: `make bench` (quick) on its packaged stack, then `make demo`.

One test, in order, because each step builds on the last: the benchmark packages the project (its
`bench` target depends on `package`), the two readings of the stack are compared, and the demo then
runs on the packaged template.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from conftest import PYTHON, bake, run

TEMPLATE_NODE_MODULES = os.environ.get("TEMPLATE_NODE_MODULES", "")
# osls package works offline; credentials that exist nowhere keep it from looking for real ones.
OFFLINE = {"AWS_ACCESS_KEY_ID": "offline", "AWS_SECRET_ACCESS_KEY": "offline"}
WORKER_ZIP_LIMIT = 200_000
API_ZIP_LIMIT = 5_000_000


def test_default_project_benchmarks_and_plays_its_demo(tmp_path: Path) -> None:
    if not TEMPLATE_NODE_MODULES:
        pytest.fail("TEMPLATE_NODE_MODULES is unset: run the tests with `make test`")
    baked = bake(tmp_path)
    assert baked.returncode == 0, baked.output
    project = baked.project

    started = time.monotonic()
    shared = f"NODE_MODULES={TEMPLATE_NODE_MODULES}"  # linked, never installed into: other tests use it
    table = run(["make", "bench", "BENCH_ARGS=--quick", f"PYTHON={PYTHON}", shared], project, env=OFFLINE)
    bench_seconds = time.monotonic() - started
    results = json.loads((project / "bench-results.json").read_text(encoding="utf-8"))
    assert results["stack_read_from"] == "the packaged template"
    for section in ("Cold start", "Package (osls package", "AWS requests per operation", "Latency of a"):
        assert section in table
    assert {"api", "sessionActivity"} <= set(results["cold_start"]["functions"])
    for name, row in results["package"]["functions"].items():
        assert row["powertools"] == "layer", name
        assert row["bytes"] < (API_ZIP_LIMIT if row["kind"] == "api" else WORKER_ZIP_LIMIT), (name, row)
    for operation in ("deposit", "bet", "win", "rollback", "leaderboard"):
        assert results["requests"][operation]["dynamodb_writes"] == 1, operation
    assert results["latency"]["per_second"] > 0

    run([PYTHON, "-m", "tools.aws.stack", "--compare"], project)

    started = time.monotonic()
    demo = run(["make", "demo", f"PYTHON={PYTHON}", shared], project)
    demo_seconds = time.monotonic() - started
    assert "the stack from the packaged template" in demo
    steps = re.findall(r"^\s*\d+\. (\S+(?: \S+)?)\s{2,}", demo, flags=re.MULTILINE)
    assert steps == [
        "sign in", "identity check", "deposit", "bonus granted", "bet", "bet", "win", "rollback",
        "limit reached", "session activity", "sign out", "workers", "leaderboard", "daily report",
        "reconciliation",
    ], demo
    assert "ledger sum 107.00 EUR = cash balance 107.00 EUR: balanced" in demo
    assert "Demo passed" in demo
    print(f"\nmake bench (quick, with package): {bench_seconds:.1f} s; make demo: {demo_seconds:.1f} s")
