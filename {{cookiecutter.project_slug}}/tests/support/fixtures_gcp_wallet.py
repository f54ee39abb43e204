"""The wallet's real ledger store on GCP for the shared contract suites: Firestore on its emulator.

tests/contract/test_ledger_store_contract.py (and its _with_sessions variant) run every test against the
in-memory store and against `real_ledger_store`; each cloud's fixtures_<provider>_wallet.py supplies it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_wallet import FirestoreLedgerStore
from {{ cookiecutter.package_name }}.ports.wallet import LedgerStore

# Where the sessions module keeps its sessions on Firestore (a document per session: player_id, status).
SESSIONS = "sessions"
# Clients x operations on one player that the emulator sustains (measured: see real_ledger_contention).
CONTENTION = (2, 25)


@pytest.fixture
def real_ledger_store(firestore_client: Any) -> LedgerStore:
    """The Firestore store on an empty database."""
    return FirestoreLedgerStore(DATABASE, firestore_client)


@pytest.fixture
def real_ledger_contention() -> tuple[int, int]:
    """Clients x operations on one player for the contract's concurrency test, sized to the emulator.

    The Firestore emulator locks pessimistically with a fixed 2-second lock timeout and does not keep
    an aborted transaction's place in line, as the service does: two transactions that read the player's
    balance document and then both write it wait on each other until one is aborted, 2 s later, and
    retried. Measured with the store's 10 attempts: 2 clients x 10 operations 4 s, all committed;
    3 x 20: 3 of 60 operations still aborted after 10 attempts (63 s); 4 x 25: 66 of 100 (354 s). So
    2 clients on one player here; the in-memory store and DynamoDB take 8 x 50, and separate players
    take 8 clients at once (tests/gcp/test_firestore_wallet.py).
    """
    return CONTENTION


@pytest.fixture
def real_ledger_store_with_sessions(
    firestore_client: Any,
) -> tuple[LedgerStore, Callable[[str, str, str], None]]:
    """The Firestore store checking bets' sessions in the sessions' documents, and how a test records one."""

    def remember(session_id: str, player_id: str, status: str) -> None:
        firestore_client.document(f"{SESSIONS}/{session_id}").set({"player_id": player_id, "status": status})

    return FirestoreLedgerStore(DATABASE, firestore_client, sessions_collection=SESSIONS), remember
