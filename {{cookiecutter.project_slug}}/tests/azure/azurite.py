"""Azurite (the local Azure Storage: Tables, Queues, Blobs), started as its node process and stopped by it.

Azurite is an npm package pinned by tools/azurite/package-lock.json (`npm ci` there installs it; the
template's `make install` puts one copy in its cache for every generated project). `AZURITE` names its
entry script (node_modules/azurite/dist/src/azurite.js); without it the project's own copy is used. The
script is started directly with node, not through npx or npm exec, whose wrapper would leave the server
listening when stopped; it runs in its own process group, which is stopped as a whole.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
# Azurite's one built-in account and its published development key (the same in every Azurite): a local
# emulator's credential, not a secret. Deployed code never uses a key: the storage account refuses them.
ACCOUNT = "devstoreaccount1"
# pragma: allowlist nextline secret
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
PROJECT_COPY = Path(__file__).resolve().parents[2] / "tools/azurite/node_modules/azurite/dist/src/azurite.js"


@dataclass(frozen=True)
class Azurite:
    """A running Azurite: its services' ports and the connection string the SDKs take."""

    table_port: int
    queue_port: int
    blob_port: int
    # Its node process (the leader of its process group), once started.
    pid: int | None = field(default=None, compare=False)

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"TableEndpoint={_endpoint(self.table_port)};QueueEndpoint={_endpoint(self.queue_port)};"
            f"BlobEndpoint={_endpoint(self.blob_port)};"
        )


def _endpoint(port: int) -> str:
    return f"http://{HOST}:{port}/{ACCOUNT}"


def azurite_script() -> Path | None:
    """Azurite's entry script: `AZURITE`, else the project's own `npm ci` copy; None if neither exists."""
    named = os.environ.get("AZURITE")
    if named:
        return Path(named)
    return PROJECT_COPY if PROJECT_COPY.is_file() else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


def listening(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def azurite(script: Path) -> Iterator[Azurite]:
    """Start Azurite in memory on free ports; yield its ports; stop its process group."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH: Azurite is a Node.js program")
    if not script.is_file():
        raise RuntimeError(f"Azurite is not at {script}: run `npm ci` in tools/azurite or set AZURITE")
    running = Azurite(table_port=free_port(), queue_port=free_port(), blob_port=free_port())
    with tempfile.TemporaryDirectory(prefix="azurite-") as workspace:
        process = subprocess.Popen(
            [
                node,
                str(script),
                "--inMemoryPersistence",
                "--silent",
                "--disableTelemetry",
                "--skipApiVersionCheck",
                "--tablePort",
                str(running.table_port),
                "--queuePort",
                str(running.queue_port),
                "--blobPort",
                str(running.blob_port),
            ],
            cwd=workspace,  # anything it writes beside its memory (a debug log) lands here and goes
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            ports = (running.table_port, running.queue_port, running.blob_port)
            while not all(listening(port) for port in ports):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Azurite did not start on ports {ports}")
                time.sleep(0.1)
            yield replace(running, pid=process.pid)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
