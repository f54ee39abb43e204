"""The AWS flavour's local run: a moto server, the stack's resources, the API and the workers.

What `make dev` and `make demo` start (tools/dev.py, tools/demo.py, through tools/local.py), all on
127.0.0.1:
- a moto server (tests/support/moto_server.py: DynamoDB requests served one at a time, like the tests);
- in it, the stack's tables, queues, event bus and rules, created from the definitions `osls` packages
  (tools/aws/stack.py: the packaged template if current, else serverless.yml);
- the Flask API behind LocalGateway (tools/aws/gateway.py): a local JWT issuer and the HTTP API's JWT
  authorizer, with the API function's environment;
- one process per worker that polls its SQS queue and calls its handler the way Lambda's event source
  mapping does (batches, partial batch failures), so events of the bus reach the workers; and one per
  table stream a function reads (tools/aws/streams.py), which writes its progress (passes over the
  stream, records read) to a status file, so the run knows when the stream holds nothing unread.
Each of those processes is this module run again (`python -m tools.aws.dev api|worker|stream`);
stopping the run stops every process it started, by PID.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
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
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import IO, Any

import boto3
from botocore.exceptions import EndpointConnectionError
from tests.support.moto_server import MotoServer

from tools.aws.gateway import LocalGateway
from tools.aws.stack import (
    LOCAL_ACCOUNT_ID,
    Function,
    LocalStack,
    StackDefinition,
    create_local_stack,
    handler_target,
    load,
    wsgi_target,
)
from tools.local import Child as LocalChild
from tools.local import LocalRunError
from tools.local_auth import ISSUER_PATH, LocalIssuer, request_token
from tools.modules import local_environment
from tools.project import PROJECT_ROOT, SRC_DIR

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 30.0
# The workers' long poll: short, so a stopped worker exits quickly.
POLL_WAIT_SECONDS = 1
# How often the stream relay looks for new records (Lambda polls a shard about four times a second).
STREAM_POLL_SECONDS = 0.25
# How long unfinished_messages waits for each stream relay to read its stream once more, to its end.
RELAY_PASS_TIMEOUT_SECONDS = 5.0
# The run's signing key reaches the API process through its environment, never its command line.
KEY_VARIABLE = "LOCAL_JWT_KEY"
# Credentials that exist nowhere: nothing started here can reach a real AWS account.
LOCAL_AWS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
REMOVED_AWS_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def aws_environment(endpoint_url: str, region: str) -> dict[str, str]:
    """This process's environment with every AWS client pointed at the local server."""
    environment = {key: value for key, value in os.environ.items() if key not in REMOVED_AWS_VARIABLES}
    environment.update(LOCAL_AWS)
    environment.update(
        {
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "PYTHONPATH": os.pathsep.join([str(SRC_DIR), str(PROJECT_ROOT)]),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


class Child(LocalChild):
    """A local server process of this run: `python -m tools.aws.dev <args>`."""

    module = "tools.aws.dev"


class LocalRun:
    """Everything a local run on AWS starts, as a context manager that stops it all (tools/local.py's
    LocalRun)."""

    def __init__(self, *, stage: str = "dev", source: str = "auto", log: IO[str] | None = None) -> None:
        self.stage = stage
        self.source = source
        self.log = log
        self.definition: StackDefinition | None = None
        self.stack: LocalStack | None = None
        self.moto: MotoServer | None = None
        self.children: list[Child] = []
        self.api_url = ""
        self.issuer: LocalIssuer | None = None
        self._session: boto3.session.Session | None = None
        self._clients: dict[str, Any] = {}
        self._status_dir: Path | None = None
        self._relays: dict[str, Path] = {}  # a stream relay's name -> its status file

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

    def start(self) -> LocalRun:
        self.definition = load(self.stage, self.source)
        self.moto = MotoServer().start()
        self._session = boto3.session.Session(
            aws_access_key_id=LOCAL_AWS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_AWS["AWS_SECRET_ACCESS_KEY"],
            region_name=self.definition.region,
        )
        self.stack = create_local_stack(self.definition, self.client)
        self._status_dir = Path(tempfile.mkdtemp(prefix="local-run-"))
        self._start_api()
        for function in self.definition.workers:
            self._start_worker(function)
        for function in self.definition.functions:
            for table in function.streams:
                self._start_stream_relay(function, table)
        self._wait_until_api_answers()
        return self

    def stop(self) -> None:
        """Stop the workers, the API and the moto server, each by its PID."""
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
        if self.moto is not None:
            self.moto.stop()
            self.moto = None
        self._clients.clear()
        if self._status_dir is not None:
            shutil.rmtree(self._status_dir, ignore_errors=True)
            self._status_dir = None
        self._relays.clear()

    def client(self, service_name: str) -> Any:
        """A boto3 client of the local moto server (one per service)."""
        assert self._session is not None
        assert self.moto is not None
        if service_name not in self._clients:
            self._clients[service_name] = self._session.client(
                service_name, endpoint_url=self.moto.endpoint_url
            )
        return self._clients[service_name]

    def function_environment(self, function: Function) -> dict[str, str]:
        """What a function's process gets: the local AWS endpoint and the function's own variables."""
        assert self.stack is not None
        assert self.moto is not None
        assert self.definition is not None
        return {
            **aws_environment(self.moto.endpoint_url, self.definition.region),
            **self.stack.environment(function),
            **local_environment(self, function),  # a module's local stand-ins (tools/modules/)
        }

    def worker_environment(self, name: str) -> dict[str, str]:
        """The environment the worker function `name` runs with in this run."""
        assert self.definition is not None
        worker = next((function for function in self.definition.workers if function.name == name), None)
        if worker is None:
            raise LocalRunError(f"the stack has no worker function {name!r}")
        return self.function_environment(worker)

    @property
    def issuer_url(self) -> str:
        return self.api_url + ISSUER_PATH

    def token(self, subject: str, scopes: Iterable[str] = (), client_id: str | None = None) -> str:
        """A token from the local issuer's HTTP route, as a client would get it."""
        return request_token(self.api_url, subject, scopes, client_id)

    def unfinished_messages(self) -> dict[str, int]:
        """Per worker queue, messages waiting or in flight; per dead-letter queue, messages in it; per
        stream relay, the records it read in a pass over its stream begun after this call (1 if it made
        none in time).

        An event on its way from a table's stream to the bus is in no queue: with every queue empty,
        each relay must read its stream to the end once more and find nothing new, and the queues are
        counted again after that, before the run counts as caught up.
        """
        before = self._relay_progress()
        counts = self._queue_counts()
        if not self._relays or any(counts.values()):
            return counts
        deadline = time.monotonic() + RELAY_PASS_TIMEOUT_SECONDS
        after = self._relay_progress()
        # A relay's status is written after each pass: two more mean one began after `before`.
        while any(after[name][0] < before[name][0] + 2 for name in before) and time.monotonic() < deadline:
            self.check_running()
            time.sleep(STREAM_POLL_SECONDS / 2)
            after = self._relay_progress()
        counts = self._queue_counts()
        for name, (passes, read) in self._relay_progress().items():
            caught_up = passes >= before[name][0] + 2
            counts[name] = read - before[name][1] if caught_up else max(1, read - before[name][1])
        return counts

    def _relay_progress(self) -> dict[str, tuple[int, int]]:
        """Per stream relay, the passes over its stream it has finished and the records it has read."""
        progress = {}
        for name, status_file in self._relays.items():
            try:
                status = json.loads(status_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):  # not written yet: the relay has not finished a pass
                status = {}
            progress[name] = (int(status.get("passes", 0)), int(status.get("read", 0)))
        return progress

    def _queue_counts(self) -> dict[str, int]:
        """Per worker queue, messages waiting or in flight; per dead-letter queue, messages in it."""
        assert self.definition is not None
        assert self.stack is not None
        sqs = self.client("sqs")
        counts = {}
        for function in self.definition.workers:
            for source in function.sources:
                names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
                dead_letters = self.stack.dead_letter_queue(source.queue)
                for queue in [source.queue] if dead_letters is None else [source.queue, dead_letters]:
                    url = self.stack.queue_url(queue)
                    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
                    counts[queue] = sum(int(attributes.get(name, 0)) for name in names)
        return counts

    def dead_letter_queues(self) -> set[str]:
        """The dead-letter queues of the workers' queues (logical ids, as unfinished_messages names them)."""
        assert self.definition is not None
        assert self.stack is not None
        return {
            queue
            for function in self.definition.workers
            for source in function.sources
            if (queue := self.stack.dead_letter_queue(source.queue)) is not None
        }

    @property
    def left_out(self) -> dict[str, str]:
        """Every module of the project runs locally on AWS: none is left out of the journey."""
        return {}

    @property
    def source_label(self) -> str:
        assert self.definition is not None
        return self.definition.source_label

    @property
    def route_scopes(self) -> tuple[str, ...]:
        assert self.definition is not None
        return self.definition.route_scopes

    @property
    def worker_names(self) -> tuple[str, ...]:
        assert self.definition is not None
        return tuple(function.name for function in self.definition.workers)

    @property
    def secrets(self) -> dict[str, str]:
        """The SSM SecureStrings the functions read, with this run's random values."""
        assert self.stack is not None
        return self.stack.parameters

    @property
    def secret_kind(self) -> str:
        return "SSM SecureString"

    def worker_feeds(self) -> list[str]:
        assert self.definition is not None
        return [
            f"{function.name} <- {', '.join(source.queue for source in function.sources)}"
            for function in self.definition.workers
        ]

    def api_environment(self) -> dict[str, str]:
        """The API function's own variables (the stack's values of this run)."""
        assert self.stack is not None
        assert self.definition is not None
        return self.stack.environment(self.definition.api)

    def process_ids(self) -> dict[str, int]:
        """The moto server's and each child's PID, by name."""
        pids = {}
        if self.moto is not None and self.moto.process is not None:
            pids["moto server"] = self.moto.process.pid
        for child in self.children:
            if child.process is not None:
                pids[child.name] = child.process.pid
        return pids

    def summary(self) -> str:
        assert self.moto is not None
        assert self.stack is not None
        return f"moto server {self.moto.endpoint_url} with {self.stack.created_summary()}"

    def describe(self) -> list[str]:
        assert self.moto is not None
        assert self.stack is not None
        return [
            f"  moto server   {self.moto.endpoint_url}  (DynamoDB requests served one at a time)",
            f"    created     {self.stack.created_summary()}",
            f"    cloud only  {self.stack.not_created_summary()}",
        ]

    def check_running(self) -> None:
        """Raise if a server this run started has exited."""
        for child in self.children:
            if child.exit_code is not None:
                raise LocalRunError(f"{child.name} exited with code {child.exit_code}")
        if self.moto is not None and self.moto.process is not None and self.moto.process.poll() is not None:
            raise LocalRunError(f"the moto server exited with code {self.moto.process.poll()}")

    def _start_api(self) -> None:
        assert self.definition is not None
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind((HOST, 0))
            listener.listen(128)
            self.api_url = f"http://{HOST}:{listener.getsockname()[1]}"
            self.issuer = LocalIssuer.with_random_key(self.issuer_url)
            env = self.function_environment(self.definition.api)
            env[KEY_VARIABLE] = self.issuer.key.hex()
            args = ["api", "--fd", str(listener.fileno()), "--app", self.definition.wsgi_app]
            child = Child(
                f"API ({self.definition.api.name})", [*args, "--issuer-url", self.issuer_url], env, self.log
            )
            self.children.append(child.start(pass_fds=(listener.fileno(),)))
        finally:
            listener.close()  # the child holds its own copy of the listening socket

    def _start_worker(self, function: Function) -> None:
        assert self.stack is not None
        for source in function.sources:
            args = [
                "worker",
                "--function",
                function.name,
                "--handler",
                function.handler,
                "--queue-url",
                self.stack.queue_url(source.queue),
                "--batch-size",
                str(source.batch_size),
            ]
            child = Child(
                f"worker {function.name} <- {source.queue}",
                args,
                self.function_environment(function),
                self.log,
            )
            self.children.append(child.start())

    def _start_stream_relay(self, function: Function, table: str) -> None:
        """The function on its table's stream, as Lambda's event source mapping runs it (aws/streams.py)."""
        assert self.stack is not None
        assert self._status_dir is not None
        name = f"{function.name} <- {table} stream"
        status_file = self._status_dir / f"{function.name}-{table}.json"
        args = [
            "stream",
            "--function",
            function.name,
            "--handler",
            function.handler,
            "--table",
            self.stack.table_name(table),
            "--status",
            str(status_file),
        ]
        child = Child(name, args, self.function_environment(function), self.log)
        self.children.append(child.start())
        self._relays[name] = status_file

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


# --- the child processes -------------------------------------------------------------------------


def _exit_when_parent_goes() -> None:
    """Exit as soon as stdin (a pipe from the parent) closes, even if the parent was killed."""

    def watch() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def serve_api(fd: int, wsgi_app: str, issuer_url: str) -> None:
    """Serve the WSGI app behind LocalGateway on the listening socket `fd` until terminated."""
    from werkzeug.serving import make_server

    _exit_when_parent_goes()
    folder, module, attribute = wsgi_target(wsgi_app)
    if folder:
        sys.path.insert(0, str(PROJECT_ROOT / folder))
    app = getattr(importlib.import_module(module), attribute)
    issuer = LocalIssuer(bytes.fromhex(os.environ.pop(KEY_VARIABLE)), issuer_url)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the app logs every request itself
    server = make_server(HOST, 0, LocalGateway(app, issuer), threaded=True, fd=fd)
    server.serve_forever()


def run_stream(function_name: str, handler: str, table_name: str, status_file: Path) -> None:
    """Poll the table's stream and hand new records to the handler, as Lambda's stream mapping does;
    after each pass, write the passes made and the records read to `status_file` (whole, by rename)."""
    _exit_when_parent_goes()
    from tools.aws.streams import StreamPoller

    module, attribute = handler_target(handler)
    entry_point = getattr(importlib.import_module(module), attribute)
    poller = StreamPoller(
        boto3.client("dynamodb"),
        boto3.client("dynamodbstreams"),
        table_name,
        entry_point,
        function_name=function_name,
    )
    signal.signal(signal.SIGTERM, lambda signal_number, frame: sys.exit(0))
    passes = 0
    while True:
        try:
            handled = poller.poll()
        except EndpointConnectionError:
            handled = 0  # the moto server is going (the run is stopping) or gone
        else:
            passes += 1
            status = json.dumps({"passes": passes, "read": poller.read})
            partial = status_file.with_suffix(".partial")
            partial.write_text(status, encoding="utf-8")
            partial.replace(status_file)
        if handled:
            print(f"[{function_name}] {handled} stream record(s) published", file=sys.stderr, flush=True)
        time.sleep(STREAM_POLL_SECONDS)


def run_worker(function_name: str, handler: str, queue_url: str, batch_size: int) -> None:
    """Poll the queue and hand each batch to the handler, as Lambda's SQS event source mapping does."""
    _exit_when_parent_goes()
    module, attribute = handler_target(handler)
    entry_point = getattr(importlib.import_module(module), attribute)
    sqs = boto3.client("sqs")
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    region = sqs.meta.region_name
    stopping = threading.Event()
    handling = threading.Event()

    def stop(signal_number: int, frame: object) -> None:
        # Waiting for messages: stop now. Handling a batch: finish it first, as Lambda would.
        if not handling.is_set():
            raise SystemExit(0)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    while not stopping.is_set():
        try:
            messages = sqs.receive_message(
                QueueUrl=queue_url,
                # One ReceiveMessage gives at most 10; Lambda gathers up to batchSize over its window.
                MaxNumberOfMessages=min(batch_size, 10),
                WaitTimeSeconds=POLL_WAIT_SECONDS,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
        except EndpointConnectionError:
            # The moto server is going (the run is stopping) or gone (the parent stops everything).
            stopping.wait(POLL_WAIT_SECONDS)
            continue
        if messages:
            handling.set()
            _deliver(function_name, entry_point, sqs, queue_url, queue_arn, region, messages)
            handling.clear()


def _deliver(
    function_name: str,
    entry_point: Any,
    sqs: Any,
    queue_url: str,
    queue_arn: str,
    region: str,
    messages: list[dict[str, Any]],
) -> None:
    event = {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }
    context = SimpleNamespace(
        function_name=function_name,
        function_version="$LATEST",
        aws_request_id=str(uuid.uuid4()),
        memory_limit_in_mb=256,
        invoked_function_arn=f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT_ID}:function:{function_name}",
    )
    try:
        response = entry_point(event, context)
    except Exception as error:  # the whole batch returns after the visibility timeout, as on Lambda
        print(f"[{function_name}] batch of {len(messages)} failed: {error!r}", file=sys.stderr, flush=True)
        return
    failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
    done = [message for message in messages if message["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(number), "ReceiptHandle": m["ReceiptHandle"]} for number, m in enumerate(done)
            ],
        )
    print(
        f"[{function_name}] {len(messages)} message(s): {len(done)} done, {len(failed)} failed",
        file=sys.stderr,
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    """One of the processes a local run starts: the API, a worker, or a stream relay."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    api = commands.add_parser("api")
    api.add_argument("--fd", type=int, required=True)
    api.add_argument("--app", required=True)
    api.add_argument("--issuer-url", required=True)
    stream = commands.add_parser("stream")
    stream.add_argument("--function", required=True)
    stream.add_argument("--handler", required=True)
    stream.add_argument("--table", required=True)
    stream.add_argument("--status", type=Path, required=True)
    worker = commands.add_parser("worker")
    worker.add_argument("--function", required=True)
    worker.add_argument("--handler", required=True)
    worker.add_argument("--queue-url", required=True)
    worker.add_argument("--batch-size", type=int, default=10)
    args = parser.parse_args(argv)

    if args.command == "api":
        serve_api(args.fd, args.app, args.issuer_url)
    elif args.command == "stream":
        run_stream(args.function, args.handler, args.table, args.status)
    else:
        run_worker(args.function, args.handler, args.queue_url, args.batch_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
