"""The GCP flavour's local run: the Firestore, Pub/Sub and Cloud Storage servers, the functions, the gateway
stand-in.

What `make dev` and `make demo` start (tools/dev.py, tools/demo.py, through tools/local.py), all on
127.0.0.1, from what infra/ declares (tools/gcp/stack.py reads the Terraform):
- the gcloud Firestore and Pub/Sub emulators (tools/gcp/emulators.py), each in its own process group;
- fake-gcs-server, a local server of Cloud Storage's JSON API (tools/gcp/emulators.py; the gcloud CLI has
  no Cloud Storage emulator), with the buckets the functions' environments name (the audit archive, the
  reports, the ledger exports), versioned as infra/ declares them; each function gets its address in
  STORAGE_EMULATOR_HOST (adapters/cloud_storage.py honours it only beside FIRESTORE_EMULATOR_HOST);
- on Pub/Sub, the events topics, and each worker's push subscriptions as infra/blocks/worker makes them
  (its filter, the retry policy's backoff, its dead-letter topic after max_delivery_attempts, a pull
  subscription keeping the dead letters) pushing to the worker's local URL;
- one functions-framework process per function whose entry point main.py offers (the API, the audit
  trail, each module's worker, the wallet's outbox relay), each with its own environment from infra/;
  a function whose entry point is not built yet is named and not started;
- the API behind GatewayStandIn (tools/gcp/gateway.py): API Gateway's JWT check with the local issuer,
  the claims handed over in X-Apigateway-Api-Userinfo;
- the wallet's outbox relay fed as in the cloud: an Eventarc stand-in process looks for new ledger
  entries still pending (a query every 0.25 s: the emulator has no Eventarc) and posts each one's
  `document.v1.created` CloudEvent to the relay once, retrying a failed post with a growing backoff;
  and posts Cloud Scheduler's sweep every minute;
- the secrets the API's environment names (the server callers' keys, the leaderboards' pseudonym key):
  random for the run, given to the API in LOCAL_SECRET_VALUES (adapters/secret_manager.py honours it
  only beside the Firestore emulator): no Secret Manager here; a worker's own (hybrid mode: the key the
  bonus workers sign the operator's credits with) to that worker alone;
- what the project's modules stand in for locally (tools/modules/: the hybrid mode's fake operator
  platform, checking the bonus credits with the run's key of the operator's wallet).
Each process is this module run again (`python -m tools.gcp.dev api|function|trigger`); stopping the
run stops every process it started, by PID, each emulator's process group and the storage server.

How the run knows every event was handled (unfinished_messages): the Pub/Sub emulator has no metrics,
so each push subscription has a pull twin (same topic, same filter) that the run reads: a message is
outstanding until its worker has answered its push with a 2xx (each worker process writes the ids it
acknowledged to a file) or it was dead-lettered.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from tools.gcp.emulators import FIRESTORE, PUBSUB, GcloudEmulator, StorageServer
from tools.gcp.gateway import contract_routes, route_scopes
from tools.gcp.stack import LOCAL_PROJECT, Function, Stack, load
from tools.local import Child as LocalChild
from tools.local import LocalRunError
from tools.local_auth import ISSUER_PATH, LocalIssuer, request_token
from tools.modules import local_environment
from tools.project import PROJECT_ROOT, SRC_DIR, use_source_tree

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 60.0
# The run's signing key reaches the API process through its environment, never its command line.
KEY_VARIABLE = "LOCAL_JWT_KEY"
# How often the Eventarc stand-in looks for new pending ledger entries, and Cloud Scheduler's period.
TRIGGER_POLL_SECONDS = 0.25
SWEEP_PERIOD_SECONDS = 60.0
# After all counts read zero, how long the run waits before it counts again (a push in flight).
SETTLE_SECONDS = 0.3
# The pull twin of a push subscription: the run counts what its worker still has to handle there.
TWIN_SUFFIX = "-local-count"
# Variables of this machine the functions never get: nothing started here reaches a real project.
REMOVED_VARIABLES = ("GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "GOOGLE_CLOUD_QUOTA_PROJECT")


def main_entry_points() -> set[str]:
    """The targets main.py offers (the functions that are built)."""
    use_source_tree()
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    import main

    return set(main.entry_points())


class Child(LocalChild):
    """A local server process of this run: `python -m tools.gcp.dev <args>`."""

    module = "tools.gcp.dev"


class LocalRun:
    """Everything a local run on GCP starts, as a context manager that stops it all (tools/local.py's
    LocalRun)."""

    def __init__(self, *, stage: str = "dev", source: str = "infra", log: IO[str] | None = None) -> None:
        self.stage = stage
        self.source = source
        self.log = log
        self.stack: Stack | None = None
        self.served: list[Function] = []
        self.not_built: list[Function] = []
        self.not_local: list[Function] = []  # built, but needing a service no emulator here offers
        self.firestore: GcloudEmulator | None = None
        self.pubsub: GcloudEmulator | None = None
        self.storage: StorageServer | None = None
        self.children: list[Child] = []
        self.urls: dict[str, str] = {}  # function name -> its local URL
        self.api_url = ""
        self.issuer: LocalIssuer | None = None
        self._secrets: dict[str, str] = {}
        self._clients: dict[str, Any] = {}
        self._saved_environment: dict[str, str | None] = {}
        self._status_dir: Path | None = None
        self._expected: dict[str, set[str]] = {}  # push subscription -> message ids published to it
        self._dead: dict[str, dict[str, str]] = {}  # dead-letter subscription -> message id -> source

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

    # --- start and stop ------------------------------------------------------------------------

    def start(self) -> LocalRun:
        self.stack = load(self.stage)
        built = main_entry_points()
        self.served = [
            function
            for function in self.stack.functions
            if function.entry_point in built and not function.unresolved
        ]
        self.not_built = [function for function in self.stack.functions if function.entry_point not in built]
        self.not_local = [
            function
            for function in self.stack.functions
            if function.entry_point in built and function.unresolved
        ]
        self.firestore = GcloudEmulator(FIRESTORE[0], *FIRESTORE[1])
        self.pubsub = GcloudEmulator(PUBSUB[0], *PUBSUB[1])
        self.storage = StorageServer()
        servers = (self.firestore, self.pubsub, self.storage)
        with ThreadPoolExecutor(max_workers=3) as pool:  # the two JVMs and the storage server side by side
            for started in [pool.submit(server.start) for server in servers]:
                started.result()
        for bucket, versioned in sorted(self.stack.buckets.items()):
            self.storage.create_bucket(bucket, versioned=versioned)
        self._point_clients_at_emulators()
        worker_secrets = [name for names in self.stack.worker_secret_names.values() for name in names]
        self._secrets = {name: secrets.token_hex(32) for name in (*self.stack.secret_names, *worker_secrets)}
        self._status_dir = Path(tempfile.mkdtemp(prefix="local-run-"))
        listeners = {function.name: self._listener() for function in self.served}
        try:
            for function in self.served:
                self.urls[function.name] = f"http://{HOST}:{listeners[function.name].getsockname()[1]}"
            self.api_url = self.urls[self.stack.api.name]
            self._create_topics_and_subscriptions()
            for function in self.served:
                self._start_function(function, listeners[function.name])
        finally:
            for listener in listeners.values():
                listener.close()  # each child holds its own copy of its listening socket
        for function in self.served:
            if function.trigger_document is not None:
                self._start_trigger(function)
        self._wait_until_functions_answer()
        return self

    def stop(self) -> None:
        """Stop the functions and the trigger, then both emulators' process groups and the storage server."""
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
        self._clients.clear()
        for server in (self.storage, self.pubsub, self.firestore):
            if server is not None:
                server.stop()
        self.pubsub = self.firestore = None
        self.storage = None
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment.clear()
        if self._status_dir is not None:
            shutil.rmtree(self._status_dir, ignore_errors=True)
            self._status_dir = None

    def _point_clients_at_emulators(self) -> None:
        """This process's Google clients (the journey's reads, the counts) talk to the emulators only."""
        assert self.firestore is not None
        assert self.pubsub is not None
        wanted = {
            "FIRESTORE_EMULATOR_HOST": self.firestore.address,
            "PUBSUB_EMULATOR_HOST": self.pubsub.address,
            "GOOGLE_CLOUD_PROJECT": LOCAL_PROJECT,
        }
        for name, value in wanted.items():
            self._saved_environment[name] = os.environ.get(name)
            os.environ[name] = value

    @staticmethod
    def _listener() -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind((HOST, 0))
        listener.listen(128)
        return listener

    def _create_topics_and_subscriptions(self) -> None:
        """The topics, and each served worker's subscriptions as infra/blocks/worker declares them."""
        assert self.stack is not None
        from google.protobuf import duration_pb2

        publisher, subscriber = self.client("publisher"), self.client("subscriber")
        topics = set(self.stack.topics.values())
        for function in self.served:
            topics.update(function.own_topics.values())
            if function.is_worker:
                topics.add(self.stack.dead_letter_topic(function))
        for topic in sorted(topics):
            publisher.create_topic(request={"name": topic})
        for function in self.served:
            for name, topic in function.own_topics.items():
                if name.endswith("dead_letters"):  # kept for inspection, as infra/ does
                    subscriber.create_subscription(
                        request={"name": topic.replace("/topics/", "/subscriptions/"), "topic": topic}
                    )
                    self._dead[topic.replace("/topics/", "/subscriptions/")] = {}
            if not function.is_worker:
                continue
            dead_letters = self.stack.dead_letter_subscription(function)
            subscriber.create_subscription(
                request={"name": dead_letters, "topic": self.stack.dead_letter_topic(function)}
            )
            self._dead[dead_letters] = {}
            for source in function.subscriptions:
                name = self.stack.subscription_name(function, source)
                topic = source.topic
                subscriber.create_subscription(
                    request={
                        "name": name,
                        "topic": topic,
                        "filter": source.filter,
                        "ack_deadline_seconds": min(600, max(10, function.timeout_seconds + 10)),
                        "push_config": {"push_endpoint": self.urls[function.name] + "/"},
                        "retry_policy": {
                            "minimum_backoff": _duration(duration_pb2, self.stack.minimum_backoff),
                            "maximum_backoff": _duration(duration_pb2, self.stack.maximum_backoff),
                        },
                        "dead_letter_policy": {
                            "dead_letter_topic": self.stack.dead_letter_topic(function),
                            "max_delivery_attempts": self.stack.max_delivery_attempts,
                        },
                    }
                )
                subscriber.create_subscription(
                    request={"name": name + TWIN_SUFFIX, "topic": topic, "filter": source.filter}
                )
                self._expected[name] = set()

    def function_environment(self, function: Function) -> dict[str, str]:
        """What a function's process gets: its variables from infra/, pointed at the emulators."""
        assert self.firestore is not None
        assert self.pubsub is not None
        assert self.storage is not None
        environment = {key: value for key, value in os.environ.items() if key not in REMOVED_VARIABLES}
        environment.update(function.environment)
        environment.update(
            {
                "FIRESTORE_EMULATOR_HOST": self.firestore.address,
                "PUBSUB_EMULATOR_HOST": self.pubsub.address,
                "STORAGE_EMULATOR_HOST": self.storage.address,
                "GOOGLE_CLOUD_PROJECT": LOCAL_PROJECT,
                "PYTHONPATH": os.pathsep.join([str(SRC_DIR), str(PROJECT_ROOT)]),
                "PYTHONUNBUFFERED": "1",
            }
        )
        # Each function the secrets its own environment names, none other.
        assert self.stack is not None
        if function.entry_point == "api":
            names = self.stack.secret_names
        else:
            names = self.stack.worker_secret_names.get(function.name, ())
        own = {name: self._secrets[name] for name in names if name in self._secrets}
        if own:
            environment["LOCAL_SECRET_VALUES"] = json.dumps(own)
        environment.update(local_environment(self, function))  # a module's local stand-ins (tools/modules/)
        return environment

    def _start_function(self, function: Function, listener: socket.socket) -> None:
        assert self.stack is not None
        assert self._status_dir is not None
        environment = self.function_environment(function)
        fd = str(listener.fileno())
        if function.entry_point == "api":
            self.issuer = LocalIssuer.with_random_key(self.api_url + ISSUER_PATH)
            environment[KEY_VARIABLE] = self.issuer.key.hex()
            args = ["api", "--fd", fd, "--issuer-url", self.issuer.issuer_url]
            name = f"API ({function.name}) behind the gateway stand-in"
        else:
            signature = "cloudevent" if function.trigger_document is not None else "http"
            acks = self._status_dir / f"{function.name}.acks"
            args = ["function", "--fd", fd, "--target", function.entry_point, "--signature", signature]
            args += ["--acks", str(acks)]
            name = f"function {function.name}"
        self.children.append(Child(name, args, environment, self.log).start(pass_fds=(listener.fileno(),)))

    def _start_trigger(self, function: Function) -> None:
        assert function.trigger_document is not None
        args = ["trigger", "--url", self.urls[function.name], "--pattern", function.trigger_document]
        environment = self.function_environment(function)
        self.children.append(
            Child(f"Eventarc stand-in -> {function.name}", args, environment, self.log).start()
        )

    def _wait_until_functions_answer(self) -> None:
        """Each function answers (functions-framework's own 404 on /robots.txt; the API's /health)."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        waiting = {
            name: url + ("/health" if url == self.api_url else "/robots.txt")
            for name, url in self.urls.items()
        }
        while waiting:
            self.check_running()
            for name, url in list(waiting.items()):
                try:
                    with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - local http
                        del waiting[name]
                except urllib.error.HTTPError:
                    del waiting[name]  # it answered
                except OSError:
                    pass
            if waiting and time.monotonic() > deadline:
                raise LocalRunError(
                    f"{', '.join(waiting)} did not answer within {READY_TIMEOUT_SECONDS:.0f} s"
                )
            time.sleep(0.05)

    # --- what the neutral tools ask ---------------------------------------------------------------

    def client(self, service_name: str) -> Any:
        """A client of a local emulator: "firestore" (the casino database), "publisher", "subscriber"."""
        assert self.stack is not None
        if service_name not in self._clients:
            if service_name == "firestore":
                from google.cloud import firestore

                self._clients[service_name] = firestore.Client(
                    project=LOCAL_PROJECT, database=self.stack.database
                )
            elif service_name in ("publisher", "subscriber"):
                from google.cloud import pubsub_v1

                maker = (
                    pubsub_v1.PublisherClient if service_name == "publisher" else pubsub_v1.SubscriberClient
                )
                self._clients[service_name] = maker()
            else:
                raise LocalRunError(f"the GCP local run has no {service_name!r} client")
        return self._clients[service_name]

    def token(self, subject: str, scopes: Iterable[str] = (), client_id: str | None = None) -> str:
        """A token from the local issuer's HTTP route, as a client would get it."""
        return request_token(self.api_url, subject, scopes, client_id)

    def unfinished_messages(self) -> dict[str, int]:
        """Per push subscription, events published to it that its worker has not acknowledged and that
        were not dead-lettered; per dead-letter subscription, the events in it; the ledger entries whose
        outbox is not relayed yet. All zero is counted twice, SETTLE_SECONDS apart (a push in flight)."""
        counts = self._counts()
        if not any(counts.values()):
            time.sleep(SETTLE_SECONDS)
            counts = self._counts()
        return counts

    def _counts(self) -> dict[str, int]:
        subscriber = self.client("subscriber")
        for subscription, expected in self._expected.items():
            expected.update(self._pull(subscriber, subscription + TWIN_SUFFIX, keep=False))
        for subscription, dead in self._dead.items():
            dead.update(self._pull(subscriber, subscription, keep=True))
        counts = outstanding(self._expected, self._acknowledged(), self._dead)
        if any(function.trigger_document for function in self.served):
            counts["ledger entries with their outbox pending"] = self._pending_entries()
        return counts

    @staticmethod
    def _pull(subscriber: Any, subscription: str, *, keep: bool) -> dict[str, str]:
        """The messages waiting on a pull subscription (id -> the subscription a dead letter left, or "");
        acknowledged, or with `keep` handed back at once so they stay for inspection."""
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", DeprecationWarning
            )  # return_immediately: the emulator's answer now
            response = subscriber.pull(
                request={"subscription": subscription, "max_messages": 1000, "return_immediately": True}
            )
        received = response.received_messages
        if not received:
            return {}
        handles = [message.ack_id for message in received]
        if keep:
            subscriber.modify_ack_deadline(
                request={"subscription": subscription, "ack_ids": handles, "ack_deadline_seconds": 0}
            )
        else:
            subscriber.acknowledge(request={"subscription": subscription, "ack_ids": handles})
        return {
            message.message.message_id: message.message.attributes.get(
                "CloudPubSubDeadLetterSourceSubscription", ""
            )
            for message in received
        }

    def _acknowledged(self) -> set[str]:
        """Every message id a worker answered with a 2xx (each worker's acks file)."""
        assert self._status_dir is not None
        acked: set[str] = set()
        for path in self._status_dir.glob("*.acks"):
            acked.update(line.split(" ", 1)[-1] for line in path.read_text(encoding="utf-8").splitlines())
        return acked

    def _pending_entries(self) -> int:
        from google.cloud.firestore_v1.base_query import FieldFilter

        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        query = (
            self.client("firestore")
            .collection_group("ledger")
            .where(filter=FieldFilter("outbox_pending", ">", epoch))
        )
        return int(query.count().get()[0][0].value)

    def dead_letter_queues(self) -> set[str]:
        """The dead-letter subscriptions (as unfinished_messages names them)."""
        return {subscription.rsplit("/", 1)[1] for subscription in self._dead}

    @property
    def left_out(self) -> dict[str, str]:
        """The project's modules whose journey steps this run cannot play yet (DEMO_LEFT_OUT), and why."""
        from tools.gcp import DEMO_LEFT_OUT

        return {
            module: why
            for module, why in DEMO_LEFT_OUT.items()
            if find_spec(f"tools.modules.{module}") is not None
        }

    @property
    def source_label(self) -> str:
        return "infra/'s Terraform"

    @property
    def route_scopes(self) -> tuple[str, ...]:
        return route_scopes(contract_routes())

    @property
    def worker_names(self) -> tuple[str, ...]:
        return tuple(function.name for function in self.served if function.is_worker)

    def worker_environment(self, name: str) -> dict[str, str]:
        worker = next((function for function in self.served if function.name == name), None)
        if worker is None:
            raise LocalRunError(f"the local run serves no function {name!r}")
        return self.function_environment(worker)

    @property
    def secrets(self) -> dict[str, str]:
        """The key secrets the functions read (by resource name), random for this run."""
        return dict(self._secrets)

    @property
    def secret_kind(self) -> str:
        return "Secret Manager secret"

    def worker_feeds(self) -> list[str]:
        assert self.stack is not None
        feeds = []
        for function in self.served:
            if function.is_worker:
                names = [self.stack.subscription_name(function, source) for source in function.subscriptions]
                feeds.append(f"{function.name} <- {', '.join(name.rsplit('/', 1)[1] for name in names)}")
        feeds += [
            f"{function.name} <- Eventarc stand-in ({function.trigger_document}) and the sweep every minute"
            for function in self.served
            if function.trigger_document is not None
        ]
        return feeds

    def api_environment(self) -> dict[str, str]:
        assert self.stack is not None
        return dict(self.stack.api.environment)

    def check_running(self) -> None:
        for child in self.children:
            if child.exit_code is not None:
                raise LocalRunError(f"{child.name} exited with code {child.exit_code}")
        for server in (self.firestore, self.pubsub, self.storage):
            if server is not None and server.process is not None and server.process.poll() is not None:
                raise LocalRunError(f"the {server.name} server exited with code {server.process.poll()}")

    def process_ids(self) -> dict[str, int]:
        pids = {}
        for emulator in (self.firestore, self.pubsub):
            if emulator is not None and emulator.process is not None:
                pids[f"{emulator.name} emulator"] = emulator.process.pid
        if self.storage is not None and self.storage.process is not None:
            pids["Cloud Storage server"] = self.storage.process.pid
        for child in self.children:
            if child.process is not None:
                pids[child.name] = child.process.pid
        return pids

    def summary(self) -> str:
        assert self.firestore is not None
        assert self.pubsub is not None
        assert self.storage is not None
        assert self.stack is not None
        subscriptions = sum(len(function.subscriptions) for function in self.served)
        return (
            f"Firestore emulator {self.firestore.address} (database {self.stack.database}), Pub/Sub emulator "
            f"{self.pubsub.address} ({len(self.stack.topics)} events topics, "
            f"{subscriptions} push subscriptions), Cloud Storage emulator {self.storage.address} "
            f"({len(self.stack.buckets)} buckets)"
        )

    def describe(self) -> list[str]:
        assert self.stack is not None
        lines = [f"  emulators     {self.summary()}"]
        for function in self.served:
            lines.append(
                f"  function      {function.name:<16} {self.urls[function.name]}  "
                f"(functions-framework, {function.entry_point})"
            )
        for function in self.served:
            if function.schedule is not None:
                lines.append(
                    f"  job           {function.name}: no schedule here ({function.schedule} in the cloud); "
                    f"POST {self.urls[function.name]}/ runs it"
                )
        for function in self.not_local:
            needs = ", ".join(function.unresolved)
            lines.append(
                f"  not started   {function.name}: needs {needs}, which no local emulator here serves"
            )
        if self.not_built:
            names = ", ".join(function.name for function in self.not_built)
            lines.append(f"  not started   {names}: their entry points are not built yet (infra/README.md)")
        return lines


def outstanding(
    expected: dict[str, set[str]], acked: set[str], dead: dict[str, dict[str, str]]
) -> dict[str, int]:
    """Per push subscription (short name), the events published to it that its worker has not
    acknowledged and that were not dead-lettered; per dead-letter subscription, its events.

    `expected`: push subscription -> the ids its pull twin received; `acked`: the ids the workers
    answered with a 2xx; `dead`: dead-letter subscription -> its messages' ids -> the subscription each
    left. A dead letter is a new message with its own id (the emulator names only the subscription it
    left, as Pub/Sub does), so what a subscription dead-lettered is subtracted as a count.
    """
    counts: dict[str, int] = {}
    for subscription, ids in expected.items():
        short = subscription.rsplit("/", 1)[1]
        dead_here = sum(
            1
            for letters in dead.values()
            for source in letters.values()
            if source.rsplit("/", 1)[-1] == short
        )
        counts[short] = max(0, len(ids - acked) - dead_here)
    for subscription, letters in dead.items():
        counts[subscription.rsplit("/", 1)[1]] = len(letters)
    return counts


def _duration(duration_pb2: Any, text: str) -> Any:
    """A Terraform duration ("10s") as a protobuf Duration."""
    return duration_pb2.Duration(seconds=int(text.rstrip("s")))


# --- the child processes -------------------------------------------------------------------------


def _exit_when_parent_goes() -> None:
    """Exit as soon as stdin (a pipe from the parent) closes, even if the parent was killed."""

    def watch() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _serve(fd: int, app: Any) -> None:
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the functions log every request themselves
    signal.signal(signal.SIGTERM, lambda signal_number, frame: sys.exit(0))
    make_server(HOST, 0, app, threaded=True, fd=fd).serve_forever()


def serve_api(fd: int, issuer_url: str) -> None:
    """The api target through functions-framework, behind the gateway stand-in, on the socket `fd`."""
    from functions_framework import create_app

    from tools.gcp.gateway import GatewayStandIn

    _exit_when_parent_goes()
    app = create_app(target="api", source=str(PROJECT_ROOT / "main.py"), signature_type="http")
    issuer = LocalIssuer(bytes.fromhex(os.environ.pop(KEY_VARIABLE)), issuer_url)
    _serve(fd, GatewayStandIn(app, issuer))


def serve_function(fd: int, target: str, signature: str, acks: Path) -> None:
    """A target of main.py through functions-framework on the socket `fd`; the id of each push it
    answers with a 2xx appended to `acks` (what the run counts as handled)."""
    from functions_framework import create_app

    _exit_when_parent_goes()
    app = create_app(target=target, source=str(PROJECT_ROOT / "main.py"), signature_type=signature)
    lock = threading.Lock()

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            message_id = str(json.loads(body)["message"]["messageId"])
        except (ValueError, KeyError, TypeError):
            message_id = ""

        def recorded(status: str, headers: Any, *rest: Any) -> Any:
            if message_id and status.startswith("2"):
                with lock, acks.open("a", encoding="utf-8") as file:
                    file.write(f"{target} {message_id}\n")
            return start_response(status, headers, *rest)

        return app(environ, recorded)

    _serve(fd, recording)


def run_trigger(url: str, pattern: str) -> None:
    """Eventarc's Firestore trigger and Cloud Scheduler's sweep, for the outbox relay at `url`."""
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_query import FieldFilter

    _exit_when_parent_goes()
    signal.signal(signal.SIGTERM, lambda signal_number, frame: sys.exit(0))
    collection = pattern.split("/")[-2]  # players/{player}/ledger/{entry}: the entries' collection
    client = firestore.Client(project=LOCAL_PROJECT, database=os.environ["FIRESTORE_DATABASE"])
    source = (
        f"//firestore.googleapis.com/projects/{LOCAL_PROJECT}/databases/{os.environ['FIRESTORE_DATABASE']}"
    )
    delivered: set[str] = set()
    retry_at: dict[str, tuple[float, float]] = {}  # path -> (next attempt, backoff)
    next_sweep = time.monotonic() + SWEEP_PERIOD_SECONDS
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    while True:
        now = time.monotonic()
        try:
            pending = [
                document.reference.path
                for document in client.collection_group(collection)
                .where(filter=FieldFilter("outbox_pending", ">", epoch))
                .stream()
            ]
        except Exception as error:  # the emulator is going (the run is stopping), or a passing error
            print(f"[eventarc] cannot read the ledger: {error!r}", file=sys.stderr, flush=True)
            pending = []
        for path in pending:
            if path in delivered or retry_at.get(path, (0.0, 0.0))[0] > now:
                continue
            if _post_event(url, "google.cloud.firestore.document.v1.created", source, f"documents/{path}"):
                delivered.add(path)
                retry_at.pop(path, None)
            else:  # RETRY_POLICY_RETRY: again later, backing off
                backoff = min(retry_at.get(path, (0.0, 0.5))[1] * 2, 60.0)
                retry_at[path] = (now + backoff, backoff)
        if now >= next_sweep:
            _post_event(url, "wallet.outbox.sweep", "//cloudscheduler.googleapis.com/local-sweep", None)
            next_sweep = now + SWEEP_PERIOD_SECONDS
        time.sleep(TRIGGER_POLL_SECONDS)


def _post_event(url: str, kind: str, source: str, subject: str | None) -> bool:
    """One binary-mode CloudEvent to the function; whether it answered 2xx."""
    headers = {
        "Content-Type": "application/json",
        "ce-id": uuid.uuid4().hex,
        "ce-source": source,
        "ce-specversion": "1.0",
        "ce-type": kind,
    }
    if subject is not None:
        headers["ce-subject"] = subject
    request = urllib.request.Request(url + "/", data=b"{}", headers=headers, method="POST")  # noqa: S310 - local http
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local http
            return bool(200 <= response.status < 300)
    except OSError as error:
        print(f"[eventarc] {kind} {subject or ''} not delivered: {error}", file=sys.stderr, flush=True)
        return False


def main(argv: list[str] | None = None) -> int:
    """One of the processes a local run starts: the API, a function, or the Eventarc stand-in."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    api = commands.add_parser("api")
    api.add_argument("--fd", type=int, required=True)
    api.add_argument("--issuer-url", required=True)
    function = commands.add_parser("function")
    function.add_argument("--fd", type=int, required=True)
    function.add_argument("--target", required=True)
    function.add_argument("--signature", choices=["http", "cloudevent"], default="http")
    function.add_argument("--acks", type=Path, required=True)
    trigger = commands.add_parser("trigger")
    trigger.add_argument("--url", required=True)
    trigger.add_argument("--pattern", required=True)
    args = parser.parse_args(argv)

    use_source_tree()
    if args.command == "api":
        serve_api(args.fd, args.issuer_url)
    elif args.command == "function":
        serve_function(args.fd, args.target, args.signature, args.acks)
    else:
        run_trigger(args.url, args.pattern)
    return 0


if __name__ == "__main__":
    sys.exit(main())
