"""Lambda SnapStart's hooks: instances resumed from one snapshot do not share their random state."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest

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
