"""The gcloud Firestore and Pub/Sub emulators, each in its own process group (the tests and `make dev`).

`gcloud ... emulators ... start` is a wrapper that starts a Java server: a signal to the wrapper alone
leaves the server listening, so an emulator runs in a new session and its whole group is stopped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
FIRESTORE = ("Firestore", ("emulators", "firestore", "start"))
# Only the beta group has Pub/Sub's emulator.
PUBSUB = ("Pub/Sub", ("beta", "emulators", "pubsub", "start"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


def ready(address: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{address}/", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


class GcloudEmulator:
    """One gcloud emulator on a free port of 127.0.0.1, started in its own process group."""

    def __init__(self, name: str, *start: str) -> None:
        self.name = name
        self.start_args = start
        self.address = ""
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> GcloudEmulator:
        """Start the emulator and wait until it answers (raises RuntimeError if it does not)."""
        gcloud = shutil.which("gcloud")
        if gcloud is None:
            raise RuntimeError(
                f"gcloud is not on PATH: the {self.name} emulator comes with the Google Cloud CLI"
            )
        self.address = f"{HOST}:{free_port()}"
        self.process = subprocess.Popen(  # noqa: S603 - the gcloud CLI found on PATH
            [gcloud, *self.start_args, f"--host-port={self.address}", "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not ready(self.address):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the {self.name} emulator did not start on {self.address}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        """Stop the whole group (the wrapper and its Java server): SIGTERM, then SIGKILL after a while."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # the group has gone already
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        # The wrapper exits before its Java server has let go of the port: stopped means nothing listens.
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while listening(self.address) and time.monotonic() < deadline:
            time.sleep(0.1)
        if listening(self.address):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None


def listening(address: str) -> bool:
    """Whether a server still accepts connections at host:port."""
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def gcloud_emulator(name: str, *start: str) -> Iterator[str]:
    """Start a gcloud emulator (`gcloud <start...>`) on a free port in its own process group; yield its
    host:port; stop the whole group (the wrapper and its Java server)."""
    emulator = GcloudEmulator(name, *start).start()
    try:
        yield emulator.address
    finally:
        emulator.stop()
