"""The Firestore session store's own requests and documents, on the gcloud Firestore emulator.

The behaviour every store shares is tests/contract/test_session_store_contract.py (run here on Firestore
through tests/support/fixtures_gcp_sessions.py); this file is what only Firestore's store shows: the
requests each operation costs, counted, and the documents the wallet and the TTL policy rely on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.gcp.firestore_requests import Requests
from tests.support.fixtures_gcp import DATABASE

from {{ cookiecutter.package_name }}.adapters.firestore_sessions import (
    MARKER_TTL,
    FirestoreSessionStore,
)
from {{ cookiecutter.package_name }}.domain.sessions import (
    Session,
    SessionActivity,
    SessionStatus,
)

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
TRANSACTION = ["begin_transaction", "batch_get_documents", "commit"]


@pytest.fixture
def store(firestore_client: Any) -> FirestoreSessionStore:
    return FirestoreSessionStore(DATABASE, firestore_client)


def signed_in(session_id: str = "session-1") -> Session:
    return Session(
        session_id=session_id,
        player_id="player-1",
        status=SessionStatus.ACTIVE,
        started_at=START,
        last_seen_at=START,
    )


def test_each_operation_is_one_commit_or_one_transaction(store: FirestoreSessionStore) -> None:
    """Sign-in: the places' query and one commit. Heartbeat and sign-out: one transaction each (its
    begin, its one read, its one commit). An event's activity: one commit, applied or not."""
    requests = Requests(store.client)
    session = signed_in()
    bet = SessionActivity(bets=1, staked=50, won=0)
    heartbeat = replace(session, last_seen_at=START + timedelta(minutes=1))
    end = START + timedelta(minutes=2)

    seen = {
        "start": requests.of(lambda: store.start(session, max_active=3))[1],
        "activity": requests.of(lambda: store.record_activity("session-1", "event-1", bet))[1],
        "activity again": requests.of(lambda: store.record_activity("session-1", "event-1", bet))[1],
        "active sessions": requests.of(lambda: store.active_sessions("player-1"))[1],
        "heartbeat": requests.of(lambda: store.save(heartbeat))[1],
        "sign-out": requests.of(
            lambda: store.save(replace(heartbeat, status=SessionStatus.ENDED, last_seen_at=end, ended_at=end))
        )[1],
    }

    assert seen == {
        "start": ["run_query", "commit"],
        "activity": ["commit"],
        "activity again": ["commit"],
        "active sessions": ["run_query", "batch_get_documents"],
        "heartbeat": TRANSACTION,
        "sign-out": TRANSACTION,
    }, seen


def test_the_session_document_is_what_the_wallet_checks_a_bet_against(
    store: FirestoreSessionStore, firestore_client: Any
) -> None:
    store.start(signed_in(), max_active=1)
    started = firestore_client.document("sessions/session-1").get().to_dict()
    place = firestore_client.document("session_players/player-1/places/0").get().to_dict()

    store.save(replace(signed_in(), status=SessionStatus.ENDED, ended_at=START, last_seen_at=START))
    ended = firestore_client.document("sessions/session-1").get().to_dict()

    assert (started["player_id"], started["status"]) == ("player-1", "active")
    assert place == {"session_id": "session-1", "started_at": START.isoformat(timespec="microseconds")}
    assert ended["status"] == "ended"
    assert "place" not in ended
    assert not firestore_client.document("session_players/player-1/places/0").get().exists


def test_an_activity_marker_expires_after_every_copy_of_its_event(
    store: FirestoreSessionStore, firestore_client: Any
) -> None:
    store.save(signed_in())
    before = datetime.now(UTC)

    store.record_activity("session-1", "event-1", SessionActivity(bets=1, staked=50, won=0))

    marker = firestore_client.document("sessions/session-1/activity/event-1").get().to_dict()
    assert before + MARKER_TTL <= marker["expires_at"] <= datetime.now(UTC) + MARKER_TTL
