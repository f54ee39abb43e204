"""The gcloud Pub/Sub emulator in its own process group, started once and stopped with its Java child.

`gcloud beta emulators pubsub start` is a wrapper that starts a Java server: a signal to the wrapper
alone leaves the server listening, so the emulator runs in a new session and the whole group is stopped.
"""

from __future__ import annotations

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


@contextmanager
def gcloud_emulator(name: str, *start: str) -> Iterator[str]:
    """Start a gcloud emulator (`gcloud <start...>`) on a free port in its own process group; yield its
    host:port; stop the whole group (the wrapper and its Java server)."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        raise RuntimeError(f"gcloud is not on PATH: the {name} emulator comes with the Google Cloud CLI")
    address = f"{HOST}:{free_port()}"
    process = subprocess.Popen(
        [gcloud, *start, f"--host-port={address}", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not ready(address):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the {name} emulator did not start on {address}")
            time.sleep(0.2)
        yield address
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def pubsub_emulator() -> Iterator[str]:
    """Start the emulator on a free port; yield its host:port (PUBSUB_EMULATOR_HOST); stop its group."""
    with gcloud_emulator("Pub/Sub", "beta", "emulators", "pubsub", "start") as address:
        yield address
