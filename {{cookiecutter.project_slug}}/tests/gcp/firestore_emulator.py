"""The gcloud Firestore emulator in its own process group, started once and stopped with its Java child.

`gcloud emulators firestore start` is a wrapper that starts a Java server: a signal to the wrapper alone
leaves the server listening, so the emulator runs in a new session and the whole group is stopped. Each
test starts from an empty database: `reset` deletes every document through the emulator's own endpoint.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from tests.gcp.pubsub_emulator import HOST, STOP_TIMEOUT_SECONDS, free_port, ready

START_TIMEOUT_SECONDS = 60.0
# The project the tests' clients name: the emulator takes any, and no real project is ever reached.
PROJECT = "casino-tests"


@contextmanager
def firestore_emulator() -> Iterator[str]:
    """Start the emulator on a free port; yield its host:port (FIRESTORE_EMULATOR_HOST); stop its group."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        raise RuntimeError("gcloud is not on PATH: the Firestore emulator comes with the Google Cloud CLI")
    address = f"{HOST}:{free_port()}"
    process = subprocess.Popen(
        [gcloud, "emulators", "firestore", "start", f"--host-port={address}", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not ready(address):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Firestore emulator did not start on {address}")
            time.sleep(0.2)
        yield address
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def reset(address: str, database: str) -> None:
    """Delete every document of `database` (the emulator's own endpoint; no such call exists in the cloud)."""
    request = urllib.request.Request(
        f"http://{address}/emulator/v1/projects/{PROJECT}/databases/{database}/documents", method="DELETE"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http to the local emulator
        if response.status != 200:
            raise RuntimeError(f"the Firestore emulator did not reset {database}: {response.status}")
