"""The Azure flavour's local run: Azurite, the storage infra/ declares, the API and the function apps.

What `make dev` and `make demo` start (tools/dev.py, tools/demo.py, through tools/local.py), all on
127.0.0.1:
- Azurite in memory (tests/azure/azurite.py: Tables, Queues, Blobs on free ports), holding the tables,
  containers and queues infra/ declares (tools/azure/storage.py), each queue function's queue and its
  poison queue (blocks/function_app makes both; tools/azure/function_apps.py);
- the API app's Flask app (its WSGI app, as the HTTP trigger serves it) behind AppServiceAuth
  (tools/azure/app_service_auth.py): the local issuer's token checked, the principal header sent;
- one process per function app with code (src/<package>/azure_apps/<app>.py), hosting its functions
  from the v2 model's own index: each queue function on its queue as the Functions host runs it
  (tools/azure/queue_host.py: host.json's retries, then the poison queue), each timer function on its
  schedule when that is every N seconds (`*/N * * * * *`: the wallet's outbox relay), else every
  LOCAL_TIMER_SECONDS (the audit trail's daily verification). Azure Functions Core Tools cannot be
  installed offline (its npm package downloads the host at install), so this is not the host itself.

Two cloud services have no local emulator, and each local process gets a stand-in in their place:
- Event Grid: the topic's client (adapters/azure_environment.py `topic_publisher`) is replaced by
  tools/azure/event_grid.py's LocalEventGrid, which puts each event on the queues whose subscriptions
  (infra/) take its type;
- Key Vault: the API reads the server callers' signing keys with one GET per secret
  (`_vault_get`); in the local API process that GET is answered from this run's random keys, passed in
  its environment (never its command line), as is the hybrid mode's bonus-paying apps' key (their
  credits go to the fake operator platform, tools/operator_platform.py, which checks them with it). No
  Key Vault runs: the rest of the key handling (names, rotation, caching) is the deployed code's.
Each of those processes is this module run again (`python -m tools.azure.dev api|app`); stopping the
run stops every process it started, by PID, and Azurite's process group.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import secrets
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from importlib import import_module
from importlib.util import find_spec
from types import TracebackType
from typing import IO, Any, cast

from tests.azure.azurite import Azurite, azurite, azurite_script, listening

from tools.azure.app_service_auth import route_scopes
from tools.azure.function_apps import (
    PACKAGE,
    STORAGE_CONNECTION,
    Declared,
    app_module,
    built_apps,
    declared,
    index_of,
)
from tools.azure.storage import Storage, read
from tools.local import Child as LocalChild
from tools.local import LocalRunError, LocalSetupError
from tools.local_auth import ISSUER_PATH, SERVER_ROUTES, LocalIssuer, request_token
from tools.project import PROJECT_ROOT, SRC_DIR

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 30.0
# How long a queue function's host waits after an empty receive (the host's polling backs off to 1 s
# by default; shorter here, so a journey's events move quickly).
POLL_SECONDS = 0.2
# A timer whose schedule is not "every N seconds" (a daily verification) runs this often locally.
LOCAL_TIMER_SECONDS = 60.0
EVERY_N_SECONDS = re.compile(r"^\*/(?P<seconds>\d+) \* \* \* \* \*$")
# The settings whose value in Azure is a cloud address: the local run's stand-ins answer instead. The
# `.invalid` names (RFC 2606) resolve nowhere, so nothing here can reach a real topic or vault.
CLOUD_VALUES = {
    "EVENT_TOPIC_ENDPOINT": "https://local-event-grid.invalid/api/events",
    "KEY_VAULT_URI": "https://local-key-vault.invalid/",
    # The hybrid mode's operator wallet: the run's fake operator platform answers (LocalRun.start).
    "OPERATOR_WALLET_URL": "https://local-operator-wallet.invalid/",
}
# What a local process gets through its environment and removes from it at once.
KEY_VARIABLE = "LOCAL_JWT_KEY"
SECRETS_VARIABLE = "LOCAL_KEY_VAULT_SECRETS"
# Entra ID names a client-credentials token's client in `azp` (api/context.py reads it).
CLIENT_CLAIM = "azp"
# Settings that would send a local process to Azure: never inherited from the shell.
REMOVED_VARIABLES = (
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_FEDERATED_TOKEN_FILE",
)


def secret_name(caller: str) -> str:
    """The Key Vault secret of a server caller's current key (infra/modules/wallet: `<caller>-key`)."""
    return f"{caller.replace('_', '-')}-key"


class Child(LocalChild):
    """A local server process of this run: `python -m tools.azure.dev <args>`."""

    module = "tools.azure.dev"


class LocalRun:
    """Everything a local run on Azure starts, as a context manager that stops it all (tools/local.py's
    LocalRun)."""

    def __init__(self, *, stage: str = "dev", source: str = "infra", log: IO[str] | None = None) -> None:
        self.stage = stage
        self.source = source
        self.log = log
        self.api_url = ""
        self.issuer: LocalIssuer | None = None
        self.azurite: Azurite | None = None
        self.storage: Storage | None = None
        self.apps: dict[str, dict[str, Declared]] = {}
        self.hosted: list[str] = []
        # Apps infra/ declares whose code is not written yet, with the modules they belong to.
        self.unhosted: dict[str, str] = {}
        self.children: list[Child] = []
        self._exits = ExitStack()
        self._secrets: dict[str, str] = {}
        self._clients: dict[str, Any] = {}
        self._callers: tuple[str, ...] = ()
        # The hybrid mode's bonus-paying apps: the Key Vault secret their credits are signed with, by app.
        self._signing_apps: dict[str, str] = {}
        self._operator_wallet_url = ""

    def __enter__(self) -> LocalRun:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # --- starting and stopping ------------------------------------------------------------------

    def start(self) -> LocalRun:
        self.storage = read(self.stage, CLOUD_VALUES)
        self.apps = declared()
        built = built_apps()
        self.hosted = sorted(app for app in self.apps if app != "api" and app in built)
        self.unhosted = {
            app: _module_of(app) for app in sorted(self.apps) if app != "api" and app not in built
        }
        self._callers = _server_callers()
        self._secrets = {secret_name(caller): secrets.token_hex(32) for caller in self._callers}
        # The leaderboards' pseudonym key, where the API's settings name one (modules/leaderboards).
        pseudonym_key = self.storage.app_settings("api").get("LEADERBOARD_PSEUDONYM_KEY_PARAMETER")
        if pseudonym_key:
            self._secrets[pseudonym_key] = secrets.token_hex(32)
        # The hybrid mode: the apps that credit bonuses on the operator's wallet sign with a Key Vault key.
        self._signing_apps = {
            app: key
            for app in self.hosted
            if (key := self.storage.app_settings(app).get("OPERATOR_WALLET_KEY_PARAMETER", ""))
        }
        for key in set(self._signing_apps.values()):
            self._secrets[key] = secrets.token_hex(32)
        script = azurite_script()
        if script is None:
            raise LocalSetupError(
                "Azurite is not installed: run `npm ci` in tools/azurite (make install-cloud), or set "
                "AZURITE to its azurite.js"
            )
        try:
            self.azurite = self._exits.enter_context(azurite(script))
        except RuntimeError as error:
            raise LocalRunError(str(error)) from error
        self._create_storage()
        self._start_api()
        self._start_operator_platform()
        for app in self.hosted:
            child = Child(f"{app} app", ["app", "--name", app], self.app_environment(app), self.log)
            self.children.append(child.start())
        self._wait_until_api_answers()
        return self

    def stop(self) -> None:
        """Stop the function apps, the API and Azurite, each by its PID (Azurite by its group)."""
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
        self._clients.clear()
        self._exits.close()
        self.azurite = None

    def _create_storage(self) -> None:
        assert self.storage is not None
        tables, queues, blobs = self.client("table"), self.client("queue"), self.client("blob")
        for table in sorted(self.storage.tables):
            tables.create_table(table)
        for container in sorted(self.storage.containers):
            blobs.create_container(container)
        for queue in sorted(self.queues()):
            queues.create_queue(queue)

    def queues(self) -> set[str]:
        """The queues infra/ declares: the named ones, and each queue function's queue and poison queue."""
        assert self.storage is not None
        work = {f.queue for functions in self.apps.values() for f in functions.values() if f.queue}
        return self.storage.queues | work | {f"{queue}-poison" for queue in work}

    # --- what each process gets -----------------------------------------------------------------

    @property
    def connection_string(self) -> str:
        assert self.azurite is not None
        return self.azurite.connection_string

    def _local_settings(self) -> dict[str, str]:
        """What every local process gets besides its app's settings: the src path, Azurite's connection."""
        environment = {key: value for key, value in os.environ.items() if key not in REMOVED_VARIABLES}
        environment.update(
            {
                # The Functions host's own storage and the casino's, both Azurite (one account locally).
                "AzureWebJobsStorage": self.connection_string,
                STORAGE_CONNECTION: self.connection_string,
                "PYTHONPATH": os.pathsep.join([str(SRC_DIR), str(PROJECT_ROOT)]),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return environment

    def app_environment(self, app: str) -> dict[str, str]:
        """The environment of app `app`'s process: its settings from infra/, its timers' schedules."""
        assert self.storage is not None
        schedules = {
            f.schedule_setting: f.schedule
            for f in self.apps.get(app, {}).values()
            if f.schedule_setting is not None and f.schedule is not None
        }
        environment = {
            **self._local_settings(),
            **self.storage.app_settings(app),
            **schedules,
            "APP_FUNCTIONS": ",".join(sorted(self.apps.get(app, {}))),
        }
        if app in self._signing_apps:
            # Its Key Vault stand-in answers its signing key only; its credits go to the fake platform.
            key = self._signing_apps[app]
            environment[SECRETS_VARIABLE] = json.dumps({key: self._secrets[key]})
            environment["OPERATOR_WALLET_URL"] = self._operator_wallet_url
        return environment

    def api_environment(self) -> dict[str, str]:
        """The API app's settings in this run: infra/'s, and each server caller's client id and key name."""
        assert self.storage is not None
        callers: dict[str, str] = {}
        for caller in self._callers:
            callers[f"{caller.upper()}_CLIENT_IDS"] = f"local-{caller.replace('_', '-')}"
            callers[f"{caller.upper()}_KEY_PARAMETER"] = secret_name(caller)
        return {**self.storage.app_settings("api"), **callers}

    def worker_environment(self, name: str) -> dict[str, str]:
        """The environment the function `name` runs with: its app's."""
        for app in self.hosted:
            if name in self.apps[app]:
                return self.app_environment(app)
        raise LocalRunError(f"no function app of this run has a function {name!r}")

    # --- the Protocol's views -------------------------------------------------------------------

    @property
    def issuer_url(self) -> str:
        return self.api_url + ISSUER_PATH

    def token(self, subject: str, scopes: Iterable[str] = (), client_id: str | None = None) -> str:
        """A token from the local issuer's HTTP route, as a client would get it."""
        return request_token(self.api_url, subject, scopes, client_id)

    def client(self, service_name: str) -> Any:
        """An Azure Storage service client on Azurite: "table", "queue" or "blob"."""
        if service_name not in self._clients:
            if service_name == "table":
                from azure.data.tables import TableServiceClient as Service
            elif service_name == "queue":
                from azure.storage.queue import QueueServiceClient as Service
            elif service_name == "blob":
                from azure.storage.blob import BlobServiceClient as Service
            else:
                raise ValueError(f"Azurite has no service {service_name!r}: table, queue or blob")
            self._clients[service_name] = Service.from_connection_string(self.connection_string)
        return self._clients[service_name]

    def _hosted_queues(self) -> list[str]:
        return sorted(f.queue for app in self.hosted for f in self.apps[app].values() if f.queue is not None)

    def unfinished_messages(self) -> dict[str, int]:
        """Per hosted queue function, messages waiting or being handled; per poison queue, messages in
        it; and each module's own events on their way (the wallet's outbox: entries not yet relayed)."""
        queues = self.client("queue")
        counts = {}
        for name in [*self._hosted_queues(), *sorted(self.dead_letter_queues())]:
            properties = queues.get_queue_client(name).get_queue_properties()
            counts[name] = int(properties.approximate_message_count or 0)
        for module in _modules():
            part = f"tools.azure.steps_{module}"
            if find_spec(part) is not None and hasattr(steps := import_module(part), "unfinished"):
                counts.update(steps.unfinished(self))
        return counts

    def dead_letter_queues(self) -> set[str]:
        """The poison queues of the hosted queue functions, and the named ones infra/ declares."""
        assert self.storage is not None
        named = {queue for queue in self.storage.queues if queue.endswith("-poison")}
        return {f"{queue}-poison" for queue in self._hosted_queues()} | named

    @property
    def source_label(self) -> str:
        return "infra/ (its storage, apps and settings)"

    @property
    def route_scopes(self) -> tuple[str, ...]:
        return route_scopes()

    @property
    def worker_names(self) -> tuple[str, ...]:
        return tuple(key for app in self.hosted for key in sorted(self.apps[app]))

    @property
    def secrets(self) -> dict[str, str]:
        """The server callers' signing keys the API reads from Key Vault, random for this run."""
        return dict(self._secrets)

    @property
    def secret_kind(self) -> str:
        return "Key Vault secret"

    @property
    def left_out(self) -> dict[str, str]:
        """Modules whose function app has no code yet: the journey leaves their steps out, saying why."""
        return {
            module: f"its function app `{app}` (infra/modules/{module}) has no code yet (azure_apps/{app}.py)"
            for app, module in self.unhosted.items()
            if module
        }

    def worker_feeds(self) -> list[str]:
        feeds = []
        for app in self.hosted:
            for key, function in sorted(self.apps[app].items()):
                if function.queue is not None:
                    feeds.append(f"{key} <- {function.queue}")
                elif function.schedule is not None:
                    feeds.append(f"{key} <- every {_period(function.schedule):g} s")
        return feeds

    def process_ids(self) -> dict[str, int]:
        pids = {}
        if self.azurite is not None and self.azurite.pid is not None:
            pids["Azurite"] = self.azurite.pid
        for child in self.children:
            if child.process is not None:
                pids[child.name] = child.process.pid
        return pids

    def summary(self) -> str:
        assert self.azurite is not None
        return f"Azurite (tables :{self.azurite.table_port}) with {self._created()}"

    def _created(self) -> str:
        assert self.storage is not None
        return (
            f"{len(self.storage.tables)} tables, {len(self.queues())} queues, "
            f"{len(self.storage.containers)} containers"
        )

    def describe(self) -> list[str]:
        assert self.azurite is not None
        assert self.storage is not None
        lines = [
            f"  Azurite       tables :{self.azurite.table_port}, queues :{self.azurite.queue_port}, "
            f"blobs :{self.azurite.blob_port}  (in memory)",
            f"    created     {self._created()}: tables {', '.join(sorted(self.storage.tables))}",
            f"  function apps {', '.join(self.hosted)}  (a process each, hosting its functions)",
            "  Event Grid    stand-in: events go onto the queues whose subscriptions (infra/) take them",
            "  Key Vault     stand-in: the API reads the run's random signing keys (below)",
        ]
        if self.unhosted:
            lines.append(
                f"    no code yet {', '.join(self.unhosted)}  (their queues fill; nothing reads them)"
            )
        return lines

    def check_running(self) -> None:
        """Raise if a process this run started has exited."""
        for child in self.children:
            if child.exit_code is not None:
                raise LocalRunError(f"{child.name} exited with code {child.exit_code}")
        if self.azurite is not None and not listening(self.azurite.table_port):
            raise LocalRunError("Azurite stopped answering")

    # --- the API --------------------------------------------------------------------------------

    def _start_api(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind((HOST, 0))
            listener.listen(128)
            self.api_url = f"http://{HOST}:{listener.getsockname()[1]}"
            self.issuer = LocalIssuer.with_random_key(self.issuer_url, CLIENT_CLAIM)
            env = {**self._local_settings(), **self.api_environment()}
            env[KEY_VARIABLE] = self.issuer.key.hex()
            env[SECRETS_VARIABLE] = json.dumps(self._secrets)
            args = ["api", "--fd", str(listener.fileno()), "--issuer-url", self.issuer_url]
            child = Child("API app", args, env, self.log)
            self.children.append(child.start(pass_fds=(listener.fileno(),)))
        finally:
            listener.close()  # the child holds its own copy of the listening socket

    def _start_operator_platform(self) -> None:
        """The hybrid mode: the operator's platform (its local fake, tools/operator_platform.py), checking
        the bonus credits with the key the bonus-paying apps read from this run's Key Vault stand-in."""
        if not self._signing_apps:
            return
        from tools.operator_platform import LocalPlatformProcess  # a file of the hybrid mode only

        key = self._secrets[next(iter(self._signing_apps.values()))]
        platform = LocalPlatformProcess(key, self.log).start()
        # Not a Child, but stopped by its PID and checked for its exit as one.
        self.children.append(cast("Child", platform))
        self._operator_wallet_url = platform.url

    def _wait_until_api_answers(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            self.check_running()
            try:
                with urllib.request.urlopen(self.api_url + "/health", timeout=1):  # noqa: S310 - local http
                    return
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise LocalRunError(
                        f"the API did not answer on {self.api_url} within {READY_TIMEOUT_SECONDS:.0f} s"
                    ) from None
                time.sleep(0.05)


def _modules() -> tuple[str, ...]:
    registry: Any = import_module(f"{PACKAGE}.registry")
    return tuple(registry.MODULES)


def _module_of(app: str) -> str:
    """The casino module whose infra/modules/<module>/main.tf declares app `app` ("" for a core app)."""
    from tools.azure.function_apps import INFRA

    for module in sorted(INFRA.glob("modules/*/main.tf")):
        if re.search(rf'^\s*app\s*=\s*"{re.escape(app)}"', module.read_text(encoding="utf-8"), re.MULTILINE):
            return module.parent.name
    return ""


def _server_callers() -> tuple[str, ...]:
    """The server callers of this project's API (each module's), by name."""
    from tools.project import use_source_tree

    use_source_tree()
    api: Any = import_module(f"{PACKAGE}.api.azure")
    callers = set(api.azure_server_callers({}))
    known = {caller for caller, _ in SERVER_ROUTES.values()}
    return tuple(sorted(callers & known))


def _period(schedule: str) -> float:
    every = EVERY_N_SECONDS.match(schedule.strip())
    return float(every["seconds"]) if every else LOCAL_TIMER_SECONDS


# --- the child processes -------------------------------------------------------------------------


def _exit_when_parent_goes() -> None:
    """Exit as soon as stdin (a pipe from the parent) closes, even if the parent was killed."""

    def watch() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def use_local_stand_ins(secrets_json: str | None = None) -> Any:
    """Put the local Event Grid in the topic client's place and, for the API, this run's keys in Key
    Vault's (module docstring); the local Event Grid."""
    from tools.azure.event_grid import LocalEventGrid

    environment: Any = import_module(f"{PACKAGE}.adapters.azure_environment")
    grid = LocalEventGrid(os.environ[STORAGE_CONNECTION])
    environment.topic_publisher = lambda environ: grid
    if secrets_json is not None:
        keys: dict[str, str] = json.loads(secrets_json)

        def vault_get(url: str) -> tuple[int, bytes]:
            name = url.split("/secrets/", 1)[1].split("?", 1)[0]
            if name not in keys:
                return 404, b'{"error": {"code": "SecretNotFound"}}'
            return 200, json.dumps({"value": keys[name]}).encode()

        environment._vault_get = vault_get
    return grid


def serve_api(fd: int, issuer_url: str) -> None:
    """Serve the API app's WSGI app behind AppServiceAuth on the listening socket `fd`."""
    from werkzeug.serving import make_server

    from tools.azure.app_service_auth import AppServiceAuth, open_paths

    _exit_when_parent_goes()
    issuer = LocalIssuer(bytes.fromhex(os.environ.pop(KEY_VARIABLE)), issuer_url, CLIENT_CLAIM)
    grid = use_local_stand_ins(os.environ.pop(SECRETS_VARIABLE))
    api: Any = import_module(f"{PACKAGE}.api.azure")
    app = api.with_principal(api.azure_app(os.environ, events=lambda: grid))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the app logs every request itself
    server = make_server(HOST, 0, AppServiceAuth(app, issuer, open_paths()), threaded=True, fd=fd)
    server.serve_forever()


def host_app(name: str) -> None:
    """Host app `name`'s functions from its index: a thread per queue function and per timer."""
    from azure.core.exceptions import ServiceRequestError

    from tools.azure.queue_host import QueueHost

    _exit_when_parent_goes()
    use_local_stand_ins(os.environ.pop(SECRETS_VARIABLE, None))
    index = index_of(import_module(app_module(name)).app)
    threads = []
    for function in index.values():
        if function.trigger == "queueTrigger":
            host = QueueHost(
                os.environ[STORAGE_CONNECTION], function.binding["queueName"], _queue_call(function.call)
            )
            threads.append(threading.Thread(target=_poll, args=(function.name, host, ServiceRequestError)))
        elif function.trigger == "timerTrigger":
            setting = str(function.binding["schedule"]).strip("%")
            period = _period(os.environ.get(setting, ""))
            threads.append(threading.Thread(target=_tick, args=(function.name, function.run, period)))
    for thread in threads:
        thread.daemon = True
        thread.start()
    for thread in threads:
        thread.join()


def _queue_call(call: Callable[..., Any]) -> Callable[[str], None]:
    import azure.functions as func

    return lambda body: call(func.QueueMessage(body=body.encode()))


def _poll(name: str, host: Any, unreachable: type[Exception]) -> None:
    while True:
        before = (host.deliveries.processed, host.deliveries.failures, len(host.deliveries.poisoned))
        try:
            received = host.poll()
        except unreachable:  # Azurite is going (the run is stopping) or gone
            time.sleep(POLL_SECONDS)
            continue
        if received:
            after = (host.deliveries.processed, host.deliveries.failures, len(host.deliveries.poisoned))
            done, failed, poisoned = (now - then for now, then in zip(after, before, strict=True))
            print(
                f"[{name}] {received} message(s): {done} done, {failed} failed, {poisoned} poisoned",
                file=sys.stderr,
                flush=True,
            )
        else:
            time.sleep(POLL_SECONDS)


def _tick(name: str, call: Callable[..., Any], period: float) -> None:
    from azure.functions.timer import TimerRequest

    while True:
        time.sleep(period)
        try:
            call(TimerRequest(past_due=False))
        except Exception as error:  # the host logs a failed run and keeps the schedule
            print(f"[{name}] run failed: {error!r}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """One of the processes a local run starts: the API, or a function app."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    api = commands.add_parser("api")
    api.add_argument("--fd", type=int, required=True)
    api.add_argument("--issuer-url", required=True)
    app = commands.add_parser("app")
    app.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    if args.command == "api":
        serve_api(args.fd, args.issuer_url)
    else:
        host_app(args.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
