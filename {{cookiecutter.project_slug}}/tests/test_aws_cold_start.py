"""What a cold start loads and how: guards of the gains docs/benchmarks.md measures (nothing timed here).

Lambda imports a function's handler module at init; the SDK and Powertools load when the first
invocation builds its clients and logger, with Python's cyclic garbage collector paused while they are
built and what they built frozen out of later collections (observability.paused_collector).
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from tools.aws import package_code
from tools.project import PROJECT_ROOT

from {{ cookiecutter.package_name }} import observability, registry
from {{ cookiecutter.package_name }}.adapters import aws_clients

# Loaded by the first invocation, never by the import of a handler module.
LOADED_ON_FIRST_USE = ("boto3", "botocore", "aws_lambda_powertools")
# The operator's wallet (hybrid mode) still imports its domain with its AWS composition
# (api/aws_operator_wallet.py), so the API's init loads it; the other modules' load on first use.
STILL_LOADED_AT_INIT = (".domain.operator_wallet",)
# What a worker's init (its handler imported, its service built by an empty batch, as the bench's probe
# does) leaves to the functions and records that need it: modules it must not load, and classes it
# must not define (each dataclass compiles its generated methods when it is defined).
OTHER_FUNCTIONS_SETTINGS = (  # settings_api.py, settings_audit.py
    "ServerCallerSettings",
    "FrontDoorSettings",
    "AuditSettings",
    "AuditArchiveSettings",
    "AuditArchiveQueueSettings",
)
LEFT_TO_FIRST_USE = {
    # The hosted wallet's domain and ledger adapter: read on the first settled bet, paid into on the
    # first grant; deposits and bets only count towards promotions.
    "promotions": ((".domain.wallet", ".adapters.dynamodb_wallet"), OTHER_FUNCTIONS_SETTINGS),
    # The API's read models (standings, mission status, tournament entries): the worker only scores.
    "leaderboards": (
        (".domain.wallet", ".adapters.dynamodb_wallet"),
        (
            "Standing",
            "BoardStandings",
            "PlayerStanding",
            "MissionStatus",
            "TournamentEntry",
            *OTHER_FUNCTIONS_SETTINGS,
        ),
    ),
    "notifications": ((), OTHER_FUNCTIONS_SETTINGS),
    "sessionActivity": ((), OTHER_FUNCTIONS_SETTINGS),
    "ggrTotals": ((), OTHER_FUNCTIONS_SETTINGS),
}


@pytest.fixture
def collector_on() -> Iterator[None]:
    """Each test starts with the collector on, and leaves it as the test session had it (nothing frozen)."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    if not was_enabled:
        gc.disable()


@pytest.mark.parametrize("function", sorted(package_code.handler_modules()))
def test_importing_a_function_loads_neither_the_sdk_nor_powertools(function: str) -> None:
    module = package_code.handler_modules()[function]
    result = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print(*sys.modules)"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(result.stdout.split())

    assert module in loaded
    assert [name for name in LOADED_ON_FIRST_USE if name in loaded] == []


@pytest.mark.parametrize(
    "function", sorted(set(LEFT_TO_FIRST_USE) & set(package_code.handler_modules())) or [None]
)
def test_a_worker_init_leaves_what_few_records_need_to_first_use(function: str | None) -> None:
    if function is None:
        assert not set(LEFT_TO_FIRST_USE) & set(package_code.handler_modules())
        return
    module = package_code.handler_modules()[function]
    package = module.split(".")[0]
    script = (
        "import sys, importlib\n"
        f"importlib.import_module({module!r}).handler(dict(Records=[]), None)\n"
        f"loaded = [name for name in sys.modules if name.startswith({package!r})]\n"
        "defined = [value.__name__ for name in loaded for value in vars(sys.modules[name]).values()\n"
        "           if isinstance(value, type) and value.__module__ == name]\n"
        "print(*loaded)\n"
        "print(*defined)\n"
    )
    # Every module's table, the bus and the reports' bucket: what the workers' settings read (no client
    # is built).
    tables = {f"{name.upper()}_TABLE_NAME": f"table-{name}" for name in registry.MODULES}
    tables.update(EVENT_BUS_NAME="bus", ANALYTICS_BUCKET_NAME="analytics")
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env={**os.environ, **tables, "PYTHONPATH": str(PROJECT_ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded, defined = (line.split() for line in result.stdout.splitlines()[-2:])
    modules, classes = LEFT_TO_FIRST_USE[function]

    assert module in loaded  # the init ran
    assert [name for name in loaded if name.endswith(modules)] == []
    assert sorted(set(classes) & set(defined)) == []


def test_an_sdk_client_is_built_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch, collector_on: None
) -> None:
    collector_while_building: list[bool] = []

    def client(service: str) -> object:
        collector_while_building.append(gc.isenabled())
        return SimpleNamespace(service=service)

    monkeypatch.setitem(sys.modules, "boto3", SimpleNamespace(client=client))
    monkeypatch.setattr(aws_clients, "_shared", {})
    gc.unfreeze()

    built = aws_clients.shared_client("sqs")

    assert collector_while_building == [False]
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what the block built is left out of every later collection
    assert aws_clients.shared_client("sqs") is built  # built once per process
    assert collector_while_building == [False]


def test_a_client_that_fails_to_build_leaves_the_collector_on(
    monkeypatch: pytest.MonkeyPatch, collector_on: None
) -> None:
    def client(service: str) -> object:
        raise ValueError(f"unknown service {service}")

    monkeypatch.setitem(sys.modules, "boto3", SimpleNamespace(client=client))
    monkeypatch.setattr(aws_clients, "_shared", {})

    with pytest.raises(ValueError, match="unknown service"):
        aws_clients.shared_client("no-such-service")
    assert gc.isenabled()


def test_the_logger_and_the_metrics_are_built_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch, collector_on: None
) -> None:
    import aws_lambda_powertools
    import aws_lambda_powertools.metrics

    collector_while_building: list[str] = []

    def built(kind: str) -> type:
        class Recorder:
            def __init__(self, **_settings: object) -> None:
                collector_while_building.append(f"{kind}: {'on' if gc.isenabled() else 'paused'}")

        return Recorder

    monkeypatch.setattr(aws_lambda_powertools, "Logger", built("logger"))
    monkeypatch.setattr(aws_lambda_powertools.metrics, "Metrics", built("metrics"))
    monkeypatch.setattr(observability, "_logger", None)
    monkeypatch.setattr(observability, "_metrics", None)

    observability.get_logger()
    observability._metrics_instance()

    assert collector_while_building == ["logger: paused", "metrics: paused"]
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused(collector_on: None) -> None:
    gc.disable()
    with observability.paused_collector():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the caller's choice, not undone by the block
    gc.enable()


def test_the_api_cold_start_loads_no_modules_domain_nor_request_schemas() -> None:
    # What snapstart.py imports before a snapshot is what the first requests to the modules' routes
    # load; the API's init (its app built) loads none of it.
    script = (
        "import sys\n"
        "from {{ cookiecutter.package_name }}.api import aws\n"
        "from {{ cookiecutter.package_name }}.snapstart import first_request_imports\n"
        "print(*[name for name in first_request_imports() if name in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
    )

    assert [name for name in result.stdout.split() if not name.endswith(STILL_LOADED_AT_INIT)] == []


def test_the_api_builds_a_url_for_every_route_whose_builder_it_left_uncompiled() -> None:
    from {{ cookiecutter.package_name }}.api.app import RouteBuiltOnFirstUse, create_app
    from {{ cookiecutter.package_name }}.api.context import Services

    app = create_app(Services())
    adapter = app.url_map.bind("api.example")
    rules = list(app.url_map.iter_rules())

    assert rules
    assert all(isinstance(rule, RouteBuiltOnFirstUse) for rule in rules)
    for rule in rules:
        values = {argument: "p-1" for argument in rule.arguments}
        [method] = sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"})
        url = adapter.build(rule.endpoint, values, method=method)
        assert adapter.match(url, method=method) == (rule.endpoint, values)
