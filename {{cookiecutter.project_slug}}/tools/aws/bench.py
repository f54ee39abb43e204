"""What `make bench` measures on AWS (tools/bench.py holds the targets, the verdicts and the table).

- Cold start: each function's init in a fresh interpreter (its handler module imported, its services
  built and their AWS clients and logger created), from its own zip (`osls package`) or a copy of
  src/, next to the baselines `python -c pass` and
  `python -c "import boto3; boto3.client('dynamodb', region_name='eu-west-1')"`, and Powertools'
  Tracer for information.
- Package: each function's zip from `osls package` (individual packaging), Powertools from its layer.
- Requests: AWS requests per API operation against the local moto server, counted by botocore.
- The app's own CPU per operation: the API on in-memory stores, in this process (no I/O).
- Latency: each operation's round trip through the WSGI app (serverless-wsgi, HTTP API events) with
  concurrent clients against the local moto server.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tools.aws.dev import LOCAL_AWS, aws_environment
from tools.aws.stack import (
    Function,
    LocalStack,
    StackDefinition,
    create_local_stack,
    handler_target,
    load,
    wsgi_target,
)
from tools.bench import (
    CLIENTS,
    HEALTH,
    MONEY_OPERATIONS,
    QUICK,
    TARGET_MONEY_REQUESTS,
    TARGET_RATIO,
    TARGET_ZIP_BYTES,
    Mode,
    Probe,
    Samples,
    cpu_ratio,
    is_borderline,
    measure_cold_starts,
    meets_target,
    operations,
    percentile,
    player_setup,
    ratio_spread,
    round_ratios,
    sdk_without_bytecode,
    under_load,
)
from tools.function_files import is_hash_checked
from tools.local_auth import ServerStandIns
from tools.modules import ModuleTools, Workload, busiest, contributions, server_stand_ins
from tools.project import PROJECT_ROOT, SRC_DIR, use_source_tree

PACKAGE = "{{ cookiecutter.package_name }}"
FLOOR = "pass"
BOTO3_BASELINE = "import boto3; boto3.client('dynamodb', region_name='eu-west-1')"
# The baseline's work with Python's cyclic garbage collector paused, as the functions build their SDK
# clients and Powertools (observability.paused_collector): for information, the like-for-like reference
# that shows what a function's own code adds. The targets stay on the plain baseline.
PAUSED_BASELINE = "import gc; gc.disable(); " + BOTO3_BASELINE + "; gc.enable()"
# What Powertools' Tracer would add to a function (not used: tracing is Lambda's active tracing).
TRACER_REFERENCE = BOTO3_BASELINE + "; from aws_lambda_powertools import Tracer; Tracer()"
POWERTOOLS_LAYER = ":layer:AWSLambdaPowertoolsPython"
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
LABELS = {
    "baseline": "import boto3; dynamodb client (baseline)",
    "reference": "baseline + Powertools Tracer() (unused)",
    "package": "Package (osls package, one zip per function)",
    "requests": "AWS requests per operation (warm; moto server)",
    "latency": "through the WSGI app, local moto server (DynamoDB serialized)",
}

# Run with `python -c` in a fresh interpreter. Adapters create their boto3 client on first use
# (a `client` property), so init walks the services and touches each one, as a first request would.
_CREATE_CLIENTS = """
import sys
from importlib import import_module

def create_clients(roots, package):
    seen, pending = set(), [(root, 0) for root in roots]
    while pending:
        value, depth = pending.pop()
        if id(value) in seen or depth > 4 or not type(value).__module__.startswith(package):
            continue
        seen.add(id(value))
        if isinstance(getattr(type(value), "client", None), property):
            value.client
        children = list(getattr(value, "__dict__", {}).values())
        children += [getattr(value, slot, None) for slot in getattr(type(value), "__slots__", ())]
        pending.extend((child, depth + 1) for child in children)
"""
# argv: app module, app attribute, package, then the modules whose own service is built too (api:all).
# Init builds the app and the services every request shares (the bus's publisher, the server callers);
# a module's own service, domain and request schemas are the first request to its routes' (api/aws.py,
# aws_app), which api:all adds up for every module.
API_INIT = (
    _CREATE_CLIENTS
    + """
import serverless_wsgi  # what serverless-wsgi's wsgi_handler imports before the app
app = getattr(import_module(sys.argv[1]), sys.argv[2])
holder = app.extensions[import_module(sys.argv[3] + ".api.context").SERVICES_KEY]
services = holder.get(*(holder.modules if sys.argv[4:] == ["all"] else ()))
create_clients([services], sys.argv[3])
import_module(sys.argv[3] + ".observability").get_logger()
"""
)
# argv: handler module, handler attribute, package; an empty batch builds the worker's services.
WORKER_INIT = (
    _CREATE_CLIENTS
    + """
module = import_module(sys.argv[1])
getattr(module, sys.argv[2])({"Records": []}, None)
create_clients(list(vars(module).values()), sys.argv[3])
import_module(sys.argv[3] + ".observability").get_logger()
"""
)
# argv: handler module, package; a scheduled job builds its clients when it runs.
JOB_INIT = """
import sys
from importlib import import_module
import_module(sys.argv[1])
import_module(sys.argv[2] + ".observability").get_logger()
"""
IMPORT_ONLY = "import sys\nfrom importlib import import_module\nimport_module(sys.argv[1])"
# Every probe ends where a cold start ends, when init is done: a Lambda instance goes on to serve
# invocations and never shuts its interpreter down then, so the shutdown's work (its last garbage
# collection, module teardown) is not counted, for the baselines and the functions alike.
END_OF_INIT = "\nimport os\nos._exit(0)"


def init_only(code: str) -> str:
    """A probe's code, ended when its init is done (no interpreter shutdown)."""
    return code + END_OF_INIT


def kind_of(function: Function) -> str:
    """api, worker (SQS-triggered) or job (anything else: schedules)."""
    if function.is_api:
        return "api"
    return "worker" if function.sources else "job"


@dataclass(frozen=True)
class ProbeSource:
    """Where the probes import each function from: its PYTHONPATH (packaged zip, else source tree)."""

    origin: str  # "packaged zips" or "source tree (no current package)"
    paths: dict[str, str]  # function name -> PYTHONPATH


@contextmanager
def probe_source(definition: StackDefinition) -> Iterator[ProbeSource]:
    """Each function's code as Lambda gets it: its zip unpacked, else a copy of src/ without bytecode.

    From the zips, a probe imports exactly what a deploy ships: the function's own modules, their
    bytecode if `make package` compiled it for this Python (hash-checked: valid whatever the file
    times), and for the API its third-party packages with theirs; boto3 and Powertools come from this
    environment, as the runtime and the layer provide them on Lambda. Without a current package, a
    copy of src/ without bytecode: each probe compiles the project's modules, as a cold start of
    source-only zips does (Lambda cannot write bytecode to its read-only task folder).
    """
    with tempfile.TemporaryDirectory(prefix="bench-code-") as scratch:
        if not definition.packaged:
            source = Path(scratch) / "src"
            shutil.copytree(SRC_DIR, source, ignore=shutil.ignore_patterns("__pycache__"))
            path = os.pathsep.join([str(source), str(PROJECT_ROOT)])
            paths = {function.name: path for function in definition.functions}
            yield ProbeSource("source tree (no current package)", paths)
            return
        wsgi_folder = wsgi_target(definition.wsgi_app)[0]
        paths = {}
        for function in definition.functions:
            assert function.artifact is not None
            root = Path(scratch) / function.name
            with zipfile.ZipFile(definition.artifacts_dir / function.artifact) as bundle:
                bundle.extractall(root)
            folders = [root / wsgi_folder, root] if function.is_api and wsgi_folder else [root]
            paths[function.name] = os.pathsep.join(str(folder) for folder in folders)
        yield ProbeSource("packaged zips", paths)


def cold_start_probes(
    definition: StackDefinition, stack: LocalStack, base_env: dict[str, str], code: ProbeSource
) -> list[Probe]:
    """The baselines, then an import-only and a full-init probe per function, from its own code."""
    python = sys.executable
    base_env = {**base_env, "PYTHONDONTWRITEBYTECODE": "1"}
    probes = [
        Probe("floor", [python, "-c", init_only(FLOOR)], base_env),
        Probe("boto3", [python, "-c", init_only(BOTO3_BASELINE)], base_env),
        Probe("boto3-paused", [python, "-c", init_only(PAUSED_BASELINE)], base_env),
        Probe("tracer", [python, "-c", init_only(TRACER_REFERENCE)], base_env),
    ]
    for function in definition.functions:
        env = {**base_env, **stack.environment(function), "PYTHONPATH": code.paths[function.name]}
        kind = kind_of(function)
        if kind == "api":
            _, module, attribute = wsgi_target(definition.wsgi_app)
            importing = [python, "-c", init_only(IMPORT_ONLY), module]
            probes.append(Probe(f"{function.name}:import", importing, env))
            init = [python, "-c", init_only(API_INIT), module, attribute, PACKAGE]
            probes.append(Probe(f"{function.name}:init", init, env))
            probes.append(Probe(f"{function.name}:all", [*init, "all"], env))
            continue
        module, attribute = handler_target(function.handler)
        probes.append(Probe(f"{function.name}:import", [python, "-c", init_only(IMPORT_ONLY), module], env))
        init = (
            [python, "-c", init_only(WORKER_INIT), module, attribute, PACKAGE]
            if kind == "worker"
            else [python, "-c", init_only(JOB_INIT), module, PACKAGE]
        )
        probes.append(Probe(f"{function.name}:init", init, env))
    return probes


def repeat_borderline(
    definition: StackDefinition, probes: list[Probe], samples: dict[str, Samples], mode: Mode
) -> list[str]:
    """Measure every function whose CPU ratio is borderline again, with the baseline; their names."""
    by_name = {probe.name: probe for probe in probes}
    borderline = [
        function.name
        for function in definition.functions
        if is_borderline(
            cpu_ratio(samples[f"{function.name}:init"], samples["boto3"]), TARGET_RATIO[kind_of(function)]
        )
    ]
    if not borderline:
        return []
    print(f"Borderline, measured again: {', '.join(borderline)} ...", flush=True)
    again = [by_name["boto3"], *(by_name[f"{name}:init"] for name in borderline)]
    for name, extra in measure_cold_starts(again, mode.rounds, warm_up=False).items():
        samples[name].wall_ms.extend(extra.wall_ms)
        samples[name].cpu_ms.extend(extra.cpu_ms)
    # The baseline's added rounds pair with the repeated functions only: the others keep their own
    # rounds for the spread, and every median is over all of a probe's rounds.
    return borderline


def cold_start_results(
    definition: StackDefinition, samples: dict[str, Samples], rounds: int, repeated: list[str]
) -> dict[str, Any]:
    boto3 = samples["boto3"]
    paused = samples["boto3-paused"]
    functions = {}
    for function in definition.functions:
        kind = kind_of(function)
        init = samples[f"{function.name}:init"]
        # The ratio and the spread pair each of the function's rounds with the baseline's of the same round.
        ratio = cpu_ratio(init, boto3)
        low, high = ratio_spread(init, boto3)
        functions[function.name] = {
            "kind": kind,
            "import_ms": round(samples[f"{function.name}:import"].wall, 1),
            "init_ms": round(init.wall, 1),
            "init_cpu_ms": round(init.cpu, 1),
            "ratio_to_baseline": round(init.wall / boto3.wall, 2),
            "cpu_ratio_to_baseline": round(ratio, 2),
            "cpu_ratio_spread": [round(low, 2), round(high, 2)],
            "cpu_ratios_by_round": [round(ratio, 3) for ratio in round_ratios(init, boto3)],
            # For information: over the baseline's work with the collector paused, as the function does it.
            "cpu_ratio_to_paused_baseline": round(cpu_ratio(init, paused), 2),
            "rounds": len(init.cpu_ms),
            "repeated": function.name in repeated,
            "target_ratio": TARGET_RATIO[kind],
            "judged_by": "cpu",
            # Judged on the ratio as reported, so the verdict never disagrees with the printed figure.
            "met": meets_target(round(ratio, 2), TARGET_RATIO[kind]),
        }
        if kind == "api":  # for information: what the first requests of every module's routes add
            every = samples[f"{function.name}:all"]
            functions[function.name]["every_module_ms"] = round(every.wall, 1)
            functions[function.name]["every_module_cpu_ms"] = round(every.cpu, 1)
            functions[function.name]["every_module_ratio_to_baseline"] = round(every.wall / boto3.wall, 2)
            functions[function.name]["every_module_cpu_ratio_to_baseline"] = round(cpu_ratio(every, boto3), 2)
    return {
        "rounds": rounds,
        # Times: the median of the rounds; a CPU ratio: the median of the rounds' ratios.
        "statistic": "median",
        "judged_by": "cpu",
        # `python -c pass`: the interpreter's own start.
        "floor_ms": round(samples["floor"].wall, 1),
        "floor_cpu_ms": round(samples["floor"].cpu, 1),
        # The baseline every ratio is over: the cloud SDK imported and one client built (on AWS boto3 and
        # a DynamoDB client), its code beside it.
        "provider_client_baseline": BOTO3_BASELINE,
        "provider_client_baseline_label": LABELS["baseline"],
        "provider_client_baseline_ms": round(boto3.wall, 1),
        "provider_client_baseline_cpu_ms": round(boto3.cpu, 1),
        "baseline_cpu_spread_ms": [round(min(boto3.cpu_ms), 1), round(max(boto3.cpu_ms), 1)],
        "paused_baseline_ms": round(paused.wall, 1),
        "paused_baseline_cpu_ms": round(paused.cpu, 1),
        # A reference the table names (labels["reference"]); on AWS the baseline plus Powertools'
        # Tracer(): what tracing through the X-Ray SDK would add.
        "reference_ms": round(samples["tracer"].wall, 1),
        "reference_adds_ms": round(samples["tracer"].wall - boto3.wall, 1),
        "reference_adds_cpu_ms": round(samples["tracer"].cpu - boto3.cpu, 1),
        "functions": functions,
    }


# --- package sizes ---------------------------------------------------------------------------------


def package_results(definition: StackDefinition) -> dict[str, Any]:
    """Each function's zip size from the packaged template, and where Powertools comes from."""
    if not definition.packaged:
        return {"skipped": "no current packaged template: run `make package` (make bench does) first"}
    functions = {}
    for function in definition.functions:
        kind = kind_of(function)
        assert function.artifact is not None
        archive = definition.artifacts_dir / function.artifact
        with zipfile.ZipFile(archive) as bundle:
            bundled = any(name.startswith("aws_lambda_powertools/") for name in bundle.namelist())
            bytecode = [name for name in bundle.namelist() if name.endswith(".pyc")]
            # Timestamp-checked bytecode would be stale in a zip with fixed file times.
            checked = all(is_hash_checked(bundle.read(name)) for name in bytecode)
        from_layer = any(POWERTOOLS_LAYER in str(layer) for layer in function.layers)
        size = archive.stat().st_size
        functions[function.name] = {
            "kind": kind,
            "artifact": function.artifact,
            "bytes": size,
            "target_bytes": TARGET_ZIP_BYTES[kind],
            "powertools": "bundled" if bundled else "layer" if from_layer else "absent",
            "bytecode_files": len(bytecode),
            "bytecode_hash_checked": bool(bytecode) and checked,
            "met": size < TARGET_ZIP_BYTES[kind] and not bundled and from_layer,
        }
    return {"functions": functions}


# --- requests per operation and throughput (in this process, through the WSGI app) ------------------


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """os.environ replaced by `values` for the block."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class RequestCounter:
    """Counts the AWS requests of clients made from boto3's default session (the app's)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, event_name: str, **details: Any) -> None:
        # before-send.<service>.<Operation>: once per HTTP request, retries included.
        service, operation = event_name.split(".", 2)[1:]
        with self._lock:
            self.requests.append(f"{service}.{operation}")

    def take(self) -> list[str]:
        with self._lock:
            taken, self.requests = self.requests, []
        return taken


class HttpApiDriver:
    """Sends HTTP API (payload 2.0) events to the app through serverless-wsgi, as Lambda does
    (tools/bench.py's ApiDriver)."""

    def __init__(self, app: Any, server_scopes: tuple[str, ...], servers: ServerStandIns | None) -> None:
        from tests.api.http_api import http_event

        self.app = app
        self.http_event = http_event
        # The server callers' stand-ins (their client ids and this run's keys; None when no module has
        # server routes) and their tokens' scopes.
        self.server_scopes = server_scopes
        self.servers = servers
        self.context = SimpleNamespace(function_name="api", aws_request_id="bench")
        # Each player's latest session (player -> session id), from its sign-in.
        self.sessions: dict[str, str] = {}

    def call(
        self, method: str, path: str, body: dict[str, Any] | None, player: str, scopes: tuple[str, ...] = ()
    ) -> Any:
        import serverless_wsgi

        text = None if body is None else json.dumps(body)
        headers: dict[str, str] = {}
        token: dict[str, Any] = {"player": player, "scopes": scopes or None}
        if self.servers is not None and self.servers.route(method, path) is not None:
            # The server caller's stand-in: its own token, the player in the body, signed.
            call = self.servers.call(method, path, body, player)
            text, headers = call.body.decode(), call.headers
            token = {"player": call.client_id, "client_id": call.client_id, "scopes": self.server_scopes}
        event = self.http_event(method, path, body=text, headers=headers, **token)
        response = serverless_wsgi.handle_request(self.app, event, self.context)
        status = response["statusCode"]
        if status >= 300:
            raise RuntimeError(f"{method} {path} answered {status}: {response.get('body')}")
        answer = json.loads(response["body"])
        if (method, path) == ("POST", "/sessions"):
            # The player's session of this run: bets are placed in it (a jurisdiction may ask for one).
            self.sessions[player] = answer["session_id"]
        return answer


def request_results(
    parts: list[ModuleTools], driver: HttpApiDriver, counter: RequestCounter
) -> dict[str, Any]:
    """Requests of each operation once warm: one warm-up journey, then a counted one."""
    for _, operation in operations(parts, driver, "bench-warm-up", "warm"):
        operation()
    counter.take()
    results: dict[str, Any] = {}
    for name, operation in operations(parts, driver, "bench-counted", "counted"):
        operation()
        requests = counter.take()
        if name in results:
            continue  # the journey's second bet only gives the rollback a bet of its own
        results[name] = request_row(name, requests)
    return results


def request_row(name: str, requests: list[str]) -> dict[str, Any]:
    """One operation's counted requests and, for a money operation, its verdict: one write, two requests."""
    writes = sum(1 for request in requests if request.split(".", 1)[1] in DYNAMODB_WRITES)
    money = name in MONEY_OPERATIONS
    return {
        "requests": requests,
        "total": len(requests),
        "dynamodb_writes": writes,
        "target_writes": 1 if money else None,
        "target_requests": TARGET_MONEY_REQUESTS if money else None,
        "met": writes == 1 and len(requests) <= TARGET_MONEY_REQUESTS if money else None,
    }


@contextmanager
def in_memory_adapters(parts: list[ModuleTools]) -> Iterator[dict[type, Any]]:
    """aws_services() builds its services on in-memory stores and publisher for the block.

    The composition root, the domain and the app are the ones Lambda runs; only the adapters' classes
    are swapped (where aws_services imports them), so the figure is the app's own CPU without I/O.
    """
    from importlib import import_module

    from {{ cookiecutter.package_name }}.adapters import memory

    swaps: list[tuple[str, str, type]] = [
        ("adapters.eventbridge", "EventBridgePublisher", memory.InMemoryEventPublisher)
    ]
    for part in parts:
        for swap in part.memory_swaps:
            in_memory = getattr(import_module(f"{PACKAGE}.{swap.memory_module}"), swap.memory_attribute)
            swaps.append((swap.module, swap.attribute, in_memory))
    saved = []
    shared: dict[type, Any] = {}  # one store per class: the wallet and the protection share a table

    def one_of(kind: type) -> Callable[..., Any]:
        return lambda *_args, **_kwargs: shared.setdefault(kind, kind())

    for module_name, attribute, kind in swaps:
        module = import_module(f"{PACKAGE}.{module_name}")
        saved.append((module, attribute, getattr(module, attribute)))
        setattr(module, attribute, one_of(kind))
    try:
        yield shared
    finally:
        for module, attribute, original in saved:
            setattr(module, attribute, original)


def check_sessions_in_memory(stores: dict[type, Any]) -> None:
    """The in-memory wallet checks bets' sessions in the in-memory sessions' store, as on DynamoDB."""
    from importlib import import_module

    from {{ cookiecutter.package_name }}.registry import enabled

    if not (enabled("wallet") and enabled("sessions")):
        return
    # By name: a project without one of the two modules has not their files.
    wallet = import_module("{{ cookiecutter.package_name }}.adapters.memory_wallet")
    sessions_module = import_module("{{ cookiecutter.package_name }}.adapters.memory_sessions")
    ledger = stores.get(wallet.InMemoryLedgerStore)
    sessions = stores.get(sessions_module.InMemorySessionStore)
    if ledger is not None and sessions is not None:
        ledger.check_sessions_in(wallet.SessionsOf(sessions))


def app_cpu_per_operation(
    parts: list[ModuleTools],
    operations_count: int,
    scopes: tuple[str, ...],
    servers: ServerStandIns | None,
    workload: Workload,
) -> dict[str, Any]:
    """The app's own CPU time per request of the workload: the API on in-memory adapters, no I/O."""
    from {{ cookiecutter.package_name }}.api.aws import aws_app

    # Server calls are signed as the real callers sign them; their keys are read once from the local
    # secret store (the moto server), before the operations are timed.
    with in_memory_adapters(parts) as stores:
        driver = HttpApiDriver(aws_app(), scopes, servers)
        player = "bench-cpu"
        player_setup(parts, driver, player, "cpu")
        check_sessions_in_memory(stores)

        def operation(number: int) -> Any:
            return workload.bench(driver, player, f"cpu-{number}")

        for number in range(min(50, operations_count)):  # warm: imports, first-request work
            operation(-1 - number)
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        for number in range(operations_count):
            operation(number)
        cpu_ms = (time.process_time() - cpu_started) * 1000
        wall_ms = (time.perf_counter() - wall_started) * 1000
    return {
        "operation": workload.name,
        "operations": operations_count,
        "cpu_ms_per_operation": round(cpu_ms / operations_count, 3),
        "wall_ms_per_operation": round(wall_ms / operations_count, 3),
    }


# --- the run ---------------------------------------------------------------------------------------


def run(mode: Mode, stage: str) -> dict[str, Any]:
    """Every measurement, against one moto server started and stopped here."""
    import boto3
    from tests.support.moto_server import MotoServer

    definition = load(stage)
    results: dict[str, Any] = {
        "project": "{{ cookiecutter.project_slug }}",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "quick": mode is QUICK,
        "stack_read_from": definition.source_label,
        # How the table (tools/bench.py) names what was measured on AWS.
        "labels": LABELS,
    }
    server = MotoServer().start()
    try:
        session = boto3.session.Session(
            aws_access_key_id=LOCAL_AWS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_AWS["AWS_SECRET_ACCESS_KEY"],
            region_name=definition.region,
        )

        clients: dict[str, Any] = {}

        def client(service_name: str) -> Any:
            if service_name not in clients:
                clients[service_name] = session.client(service_name, endpoint_url=server.endpoint_url)
            return clients[service_name]

        stack = create_local_stack(definition, client)
        base_env = aws_environment(server.endpoint_url, definition.region)
        print(f"Cold starts: {mode.rounds} round(s) of fresh interpreters ...", flush=True)
        with probe_source(definition) as code:
            probes = cold_start_probes(definition, stack, base_env, code)
            samples = measure_cold_starts(probes, mode.rounds, warm_up=mode.warm_up)
            repeated = repeat_borderline(definition, probes, samples, mode)
        results["cold_start"] = cold_start_results(definition, samples, mode.rounds, repeated)
        results["cold_start"]["code_from"] = code.origin
        results["cold_start"]["sdk"] = "boto3"
        results["cold_start"]["sdk_without_bytecode"] = sdk_without_bytecode("boto3")
        results["package"] = package_results(definition)
        print("Requests per operation, the app's CPU and latency through the WSGI app ...", flush=True)
        results.update(in_process(definition, stack, base_env, mode))
    finally:
        server.stop()
    return results


def in_process(
    definition: StackDefinition, stack: LocalStack, base_env: dict[str, str], mode: Mode
) -> dict[str, Any]:
    """Requests per operation, the app's CPU and latency, with the API function's environment here."""
    import boto3

    use_source_tree()
    function_env = stack.environment(definition.api)
    # The app logs every request and its metrics (EMF) to stdout, as on Lambda: formatted, then dropped.
    with open(os.devnull, "w") as sink, redirect_stdout(sink), environment({**base_env, **function_env}):
        from {{ cookiecutter.package_name }}.api.aws import aws_app

        boto3.setup_default_session()
        counter = RequestCounter()
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register("before-send", counter)
        parts = contributions()
        servers = server_stand_ins(parts, function_env, stack.parameters)
        driver = HttpApiDriver(aws_app(), definition.route_scopes, servers)
        requests = request_results(parts, driver, counter)
        workload = busiest(parts) or HEALTH
        load = under_load(parts, driver, mode.seconds, workload)
        counter.take()
        app_cpu = app_cpu_per_operation(
            parts, mode.cpu_operations, definition.route_scopes, servers, workload
        )
    return {
        "requests": requests,
        "app_cpu": app_cpu,
        "latency": {
            "operation": workload.name,
            "clients": CLIENTS,
            "seconds": mode.seconds,
            "operations": len(load.latencies_ms),
            "per_second": round(load.per_second, 1),
            "p50_ms": round(percentile(load.latencies_ms, 0.50), 1),
            "p99_ms": round(percentile(load.latencies_ms, 0.99), 1),
        },
    }
