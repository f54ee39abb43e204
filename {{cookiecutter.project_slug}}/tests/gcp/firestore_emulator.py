"""The gcloud Firestore emulator for the tests (tools/gcp/emulators.py starts it, as `make dev` does).

Each test starts from an empty database: `reset` deletes every document through the emulator's own
endpoint.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from tools.gcp.emulators import FIRESTORE, gcloud_emulator

# The project the tests' clients name: the emulator takes any, and no real project is ever reached.
PROJECT = "casino-tests"


@contextmanager
def firestore_emulator() -> Iterator[str]:
    """Start the emulator on a free port; yield its host:port (FIRESTORE_EMULATOR_HOST); stop its group."""
    name, start = FIRESTORE
    with gcloud_emulator(name, *start) as address:
        yield address


def reset(address: str, database: str) -> None:
    """Delete every document of `database` (the emulator's own endpoint; no such call exists in the cloud)."""
    request = urllib.request.Request(
        f"http://{address}/emulator/v1/projects/{PROJECT}/databases/{database}/documents", method="DELETE"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http to the local emulator
        if response.status != 200:
            raise RuntimeError(f"the Firestore emulator did not reset {database}: {response.status}")
