"""A real moto server in a child process, with DynamoDB requests served one at a time.

moto's DynamoDB backend is not safe under concurrent requests: two conditional updates of one
item can both pass their condition, and a cancelled transaction restores a snapshot of the table
taken before it, undoing writes made meanwhile. moto also writes a transaction's items, and their
stream records, one by one before it knows whether the transaction commits, so a stream read served
in the middle sees a write that is then taken back (the outbox relay published a refused bet's
BetPlaced). Real DynamoDB isolates them, so the server wraps moto's WSGI app in a lock for DynamoDB
and DynamoDB Streams calls; other services stay concurrent (an SQS long poll must not block the table).

That snapshot is also why moto 5 could not take sustained load: each TransactWriteItems deep-copies
every table it names, once per item, and moto's model registry keeps every copy (memory grew with
the square of the transactions, 7 GB after 2,000 bets on one player). The server snapshots only the
items a transaction touches instead (`narrow_transaction_snapshots`).

Run as a script it serves on 127.0.0.1 and prints its port on the first line of stdout.
"""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

HOST = "127.0.0.1"
READY_PATH = "/moto-api/data.json"
START_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 5.0

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


# X-Amz-Target prefixes of the calls served one at a time: DynamoDB's and its streams'.
SERIALIZED_TARGETS = ("DynamoDB_", "DynamoDBStreams_")


class SerializedDynamoDB:
    """WSGI middleware: one DynamoDB or DynamoDB Streams request at a time, response body included."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith(SERIALIZED_TARGETS):
            return self.app(environ, start_response)
        with self.lock:
            body = self.app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()


class TouchedItems:
    """What a transaction may change, as it was: each touched item (or its absence), each stream's length.

    Restoring puts back these items and drops the stream records written since, which is what moto's
    copy of the whole table gave back, at the cost of the items the transaction names.
    """

    def __init__(self, backend: Any, transact_items: list[dict[str, Any]]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        self.items: list[tuple[Any, Any, Any, Any, dict[str, Any] | None]] = []
        self.streams: dict[int, tuple[list[Any], int]] = {}
        for entry in transact_items:
            try:
                _, operation = next(iter(entry.items()))
                table = backend.tables[operation["TableName"]]
                key = operation["Item"] if "Item" in operation else operation["Key"]
                hash_key = DynamoType(key[table.hash_key_attr])
                range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
                item = table.get_item(hash_key, range_key)
            except Exception:  # noqa: S112 - a malformed entry is refused by moto before it writes
                continue
            # update_item changes an item in place: keep its attributes as they are now.
            attributes = None if item is None else copy.deepcopy(dict(item.attrs))
            self.items.append((table, hash_key, range_key, item, attributes))
            shard = table.stream_shard
            if shard is not None and id(shard) not in self.streams:
                self.streams[id(shard)] = (shard.items, len(shard.items))

    def restore(self) -> None:
        from moto.dynamodb.models.dynamo_type import LimitedSizeDict

        for table, hash_key, range_key, item, attributes in reversed(self.items):
            if item is not None:
                item.attrs = LimitedSizeDict(attributes)  # the size was checked when it was written
            if range_key is not None:
                if item is None:
                    table.items[hash_key].pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = item
            elif item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
        for records, length in self.streams.values():
            del records[length:]


def narrow_transaction_snapshots() -> None:
    """Make moto's TransactWriteItems snapshot the items it touches, not deep copies of whole tables.

    moto backs a transaction up with `copy.deepcopy(table)` for each of its items and, if it fails,
    puts the copies in place of the tables. Its copies go through the models' `__new__`, which adds
    each to a registry that is never emptied, so every transaction's copies of the wallet's table
    stayed in memory for good. Here moto's module sees a `copy` that hands a table back as it is,
    and the transaction restores the items it touched (TouchedItems) when it fails. The DynamoDB lock
    (SerializedDynamoDB) still makes each transaction the only request touching the tables.
    """
    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    transact = DynamoDBBackend.transact_write_items
    if getattr(transact, "narrowed", False):
        return

    class TablesNotCopied:
        """The `copy` module for moto's DynamoDB backend, except that a table is not copied."""

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        touched = TouchedItems(backend, transact_items)
        try:
            transact(backend, transact_items)
        except BaseException:
            touched.restore()
            raise

    transact_write_items.narrowed = True  # type: ignore[attr-defined]
    models.copy = TablesNotCopied()  # type: ignore[assignment,attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign,assignment]


class MotoServer:
    """Starts the server script in a child process; stopped by its PID."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.port = 0
        self._log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in stop()

    @property
    def endpoint_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> MotoServer:
        """Start the child, read its port, and wait until it answers HTTP."""
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.isdigit():
            self.stop()
            raise RuntimeError(f"moto server did not start:\n{self._log_text()}")
        self.port = int(line)
        self._wait_until_ready()
        return self

    def stop(self) -> None:
        """Terminate the child by PID, and kill it if it does not exit in time."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            for pipe in (self.process.stdin, self.process.stdout):
                if pipe is not None:
                    pipe.close()
        self._log.close()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                with urllib.request.urlopen(self.endpoint_url + READY_PATH, timeout=1):  # noqa: S310 - local http
                    return
            except OSError:
                if time.monotonic() > deadline or (self.process and self.process.poll() is not None):
                    log = self._log_text()
                    self.stop()
                    raise RuntimeError(f"moto server is not answering:\n{log}") from None
                time.sleep(0.05)

    def _log_text(self) -> str:
        self._log.seek(0)
        return self._log.read()


def serve() -> None:
    """Serve moto on a free port of 127.0.0.1 until terminated."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    # Switch threads every millisecond, not every 5: a race in the server (say, the lock removed)
    # then shows up in the concurrency tests instead of hiding behind long time slices.
    sys.setswitchinterval(0.001)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per request
    narrow_transaction_snapshots()
    app = SerializedDynamoDB(DomainDispatcherApplication(create_backend_app))
    server = make_server(HOST, 0, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=_exit_when_parent_goes, daemon=True).start()
    print(server.server_port, flush=True)
    server.serve_forever()


def _exit_when_parent_goes() -> None:
    # stdin is a pipe from the test session: end of file means it is gone, even if it was killed.
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    serve()
