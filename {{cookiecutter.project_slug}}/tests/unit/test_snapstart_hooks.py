"""Lambda SnapStart's hooks: instances resumed from one snapshot do not share their random state."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from tools.project import PROJECT_ROOT

from {{ cookiecutter.package_name }} import snapstart


@pytest.fixture
def lambda_runtime() -> Iterator[dict[str, list[Callable[[], None]]]]:
    """Lambda's snapshot_restore_py, recording what is registered with it."""
    registered: dict[str, list[Callable[[], None]]] = {"before_snapshot": [], "after_restore": []}
    runtime = ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = registered["before_snapshot"].append  # type: ignore[attr-defined]
    runtime.register_after_restore = registered["after_restore"].append  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "snapshot_restore_py", runtime)
        yield registered


def test_instances_resumed_from_one_snapshot_draw_different_retry_jitter() -> None:
    random.seed(2024)  # the state init left in the snapshot
    snapshot = random.getstate()

    jitter = []
    for _instance in range(2):
        random.setstate(snapshot)  # a resume
        snapstart.reseed_after_restore()
        jitter.append([random.uniform(0, 0.02) for _ in range(4)])

    assert jitter[0] != jitter[1]


def test_without_the_hooks_resumed_instances_would_retry_in_step() -> None:
    random.seed(2024)
    snapshot = random.getstate()

    first = [random.uniform(0, 0.02) for _ in range(4)]
    random.setstate(snapshot)

    assert [random.uniform(0, 0.02) for _ in range(4)] == first


def test_the_hooks_are_registered_with_lambdas_runtime(
    lambda_runtime: dict[str, list[Callable[[], None]]],
) -> None:
    assert snapstart.register_hooks()

    assert lambda_runtime["after_restore"] == [snapstart.reseed_after_restore]
    assert lambda_runtime["before_snapshot"] == [snapstart.import_before_snapshot]


def test_elsewhere_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # an import of it fails

    assert not snapstart.register_hooks()


def test_the_snapshot_holds_boto3_but_no_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from {{ cookiecutter.package_name }}.adapters import aws_clients

    monkeypatch.setattr(aws_clients, "_shared", {})
    snapstart.import_before_snapshot()

    assert "boto3" in sys.modules
    assert aws_clients._shared == {}


def test_the_snapshot_holds_what_the_first_requests_load() -> None:
    # Without SnapStart these load on the first request to a module's routes; a restored instance has them.
    script = (
        "import sys\n"
        "from {{ cookiecutter.package_name }} import snapstart\n"
        "expected = snapstart.first_request_imports()\n"
        "before = [name for name in expected if name in sys.modules]\n"
        "snapstart.import_before_snapshot()\n"
        "print(len(expected), *before, *[name for name in expected if name not in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
    )

    count, *loaded_early_or_not_at_all = result.stdout.split()
    assert loaded_early_or_not_at_all == []
    assert int(count) == len(snapstart.first_request_imports())
