"""The gcloud Firestore emulator in its own process group, started once and stopped with its Java child.

`gcloud emulators firestore start` is a wrapper that starts a Java server: a signal to the wrapper alone
leaves the server listening, so the emulator runs in a new session and the whole group is stopped. Each
test starts from an empty database: `reset` deletes every document through the emulator's own endpoint.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from tests.gcp.pubsub_emulator import gcloud_emulator

# The project the tests' clients name: the emulator takes any, and no real project is ever reached.
PROJECT = "casino-tests"


@contextmanager
def firestore_emulator() -> Iterator[str]:
    """Start the emulator on a free port; yield its host:port (FIRESTORE_EMULATOR_HOST); stop its group."""
    with gcloud_emulator("Firestore", "emulators", "firestore", "start") as address:
        yield address


def reset(address: str, database: str) -> None:
    """Delete every document of `database` (the emulator's own endpoint; no such call exists in the cloud)."""
    request = urllib.request.Request(
        f"http://{address}/emulator/v1/projects/{PROJECT}/databases/{database}/documents", method="DELETE"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http to the local emulator
        if response.status != 200:
            raise RuntimeError(f"the Firestore emulator did not reset {database}: {response.status}")
