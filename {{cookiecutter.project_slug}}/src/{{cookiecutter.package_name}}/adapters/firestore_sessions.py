"""The sessions' Firestore store (the casino's named database): sessions and their once-per-event totals.

Document layout:
- session          sessions/<session_id>  player_id, status, started_at, last_seen_at, ended_at?, bets,
                   staked, won, reality_check_minutes?, reality_checks_due?, place? (the player's active
                   place it holds while active). The wallet reads player_id and status here when a bet
                   needs its session (adapters/firestore_wallet.py, `sessions_collection`).
- activity marker  sessions/<session_id>/activity/<event_id>  expires_at (a timestamp: the database's
                   TTL policy on it deletes the marker, infra/modules/sessions)
- active place     session_players/<player_id>/places/<n>  session_id, started_at (n in 0 .. cap-1)

A player's active sessions hold the places 0 .. cap-1 of their own collection, as on DynamoDB: a sign-in
creates a free place and its session in ONE commit, each only if absent, so two sign-ins at once never
both take the last place; finding a player's active sessions is one query of that small collection.

Requests per operation (tests/gcp/test_firestore_sessions.py counts them):
- start            one query of the player's places, then ONE commit (create place, create session); a
                   place another sign-in took first fails the commit whole and is looked for again.
- heartbeat        ONE transaction: read the session, write its lifecycle fields unless it has ended.
- sign-out         ONE transaction: read the session, write its end and delete the place it held.
- record_activity  ONE commit: create the event's marker (only if absent) and add the totals to the
                   session (only if it exists, server-side increments), all or nothing.

Why commits with preconditions rather than read-write transactions on the concurrent paths: the database
runs in pessimistic concurrency mode (infra/main.tf), where a transaction's reads lock their documents, so
many sign-ins of one player or many bets of one session would queue on the locks their reads took; a
commit conditioned on "absent" or "exists" reads nothing, locks nothing, and a loser fails at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core.exceptions import AlreadyExists
from google.api_core.exceptions import NotFound as DocumentMissing
from google.cloud import firestore

from ..domain.errors import NotFound, SessionClosed
from ..domain.sessions import Session, SessionActivity, SessionLimitReached, SessionStatus
from .document_records import timestamp

Document = dict[str, Any]
SESSIONS = "sessions"
PLAYERS = "session_players"
# Activity markers outlive every copy of the event: a redelivered or replayed event is still recognised
# as applied for this long (the push subscription's retention and its dead-letter topic's).
MARKER_TTL = timedelta(days=15)
# A place another sign-in took between the query and the commit: look again, this often.
START_ATTEMPTS = 3
# How often a heartbeat's or sign-out's transaction is tried when Firestore aborts it for contention.
ATTEMPTS = 10


class FirestoreSessionStore:
    """Player sessions and their once-per-event activity totals in Firestore documents."""

    def __init__(
        self,
        database: str,
        client: Any | None = None,
        *,
        project: str | None = None,
        sessions_collection: str = SESSIONS,
        players_collection: str = PLAYERS,
        attempts: int = ATTEMPTS,
    ) -> None:
        self.client = client if client is not None else firestore.Client(project=project, database=database)
        self.sessions_collection = sessions_collection
        self.players_collection = players_collection
        self.attempts = attempts

    def start(self, session: Session, *, max_active: int) -> None:
        for _ in range(START_ATTEMPTS):
            taken = {int(place.id) for place in self._places(session.player_id)}
            free = [place for place in range(max_active) if place not in taken]
            # Every active session counts, also one holding a place beyond a cap lowered since it began.
            if len(taken) >= max_active or not free:
                break
            batch = self.client.batch()
            batch.create(
                self._place(session.player_id, free[0]),
                {"session_id": session.session_id, "started_at": timestamp(session.started_at)},
            )
            batch.create(self._session(session.session_id), _session_to(session, place=free[0]))
            try:
                batch.commit()
                return
            except AlreadyExists:
                # Another sign-in took the place first (nothing of this one was written): look again.
                # A session id already taken is not a lost race: its own error is raised.
                if self._session(session.session_id).get().exists:
                    raise
        raise SessionLimitReached(
            f"the player already has {max_active} active sessions; sign out of one first", field="session_id"
        )

    def active_sessions(self, player_id: str) -> list[Session]:
        ids = [place.to_dict()["session_id"] for place in self._places(player_id)]
        refs = [self._session(session_id) for session_id in ids]
        found = [
            _session_from(snapshot.id, snapshot.to_dict())
            for snapshot in self.client.get_all(refs)
            if snapshot.exists
        ]
        active = [session for session in found if session.status is SessionStatus.ACTIVE]
        return sorted(active, key=lambda session: (session.started_at, session.session_id))

    def save(self, session: Session) -> bool:
        ref = self._session(session.session_id)

        def attempt(transaction: Any) -> bool:
            snapshot = ref.get(transaction=transaction)
            stored: Document | None = snapshot.to_dict() if snapshot.exists else None
            if stored is not None and stored["status"] != SessionStatus.ACTIVE.value:
                # Never revive: a heartbeat that read the session before a sign-out is refused here.
                if session.status is SessionStatus.ACTIVE:
                    raise SessionClosed("the session has ended; start a new one", field="session_id")
                return False  # ended already: the first end stays as written
            # Lifecycle fields only: the totals are the ones read in this transaction, so an activity
            # recorded meanwhile either commits first (and is read) or waits for this commit.
            document = _session_to(session, place=None)
            if stored is not None:
                for name in ("bets", "staked", "won", "place"):
                    if name in stored:
                        document[name] = stored[name]
                if session.reality_check_minutes is None:
                    for name in ("reality_check_minutes", "reality_checks_due"):
                        if name in stored:
                            document[name] = stored[name]
            if session.status is SessionStatus.ENDED and "place" in document:
                # Ending frees the session's place in the same transaction.
                place = int(document.pop("place"))
                transaction.delete(self._place(str(document["player_id"]), place))
            transaction.set(ref, document)
            return True

        saved: bool = firestore.transactional(attempt)(self.client.transaction(max_attempts=self.attempts))
        return saved

    def get(self, session_id: str) -> Session | None:
        snapshot = self._session(session_id).get()
        return _session_from(session_id, snapshot.to_dict()) if snapshot.exists else None

    def record_activity(self, session_id: str, event_id: str, activity: SessionActivity) -> bool:
        session = self._session(session_id)
        batch = self.client.batch()
        # TTL runs on the database's wall clock, so the marker's expiry uses the real time too.
        batch.create(session.collection("activity").document(event_id), {"expires_at": _expiry()})
        batch.update(
            session,
            {
                "bets": firestore.Increment(activity.bets),
                "staked": firestore.Increment(activity.staked),
                "won": firestore.Increment(activity.won),
            },
        )
        try:
            batch.commit()
        except AlreadyExists:
            return False
        except DocumentMissing:
            raise NotFound(f"session {session_id} does not exist") from None
        return True

    def _places(self, player_id: str) -> list[Any]:
        """The places the player's active sessions hold (a sign-in just committed is seen)."""
        return list(self.client.collection(f"{self.players_collection}/{player_id}/places").stream())

    def _place(self, player_id: str, place: int) -> Any:
        return self.client.document(f"{self.players_collection}/{player_id}/places/{place}")

    def _session(self, session_id: str) -> Any:
        return self.client.document(f"{self.sessions_collection}/{session_id}")


def _expiry() -> datetime:
    return datetime.now(UTC) + MARKER_TTL


def _session_to(session: Session, *, place: int | None) -> Document:
    document: Document = {
        "player_id": session.player_id,
        "status": session.status.value,
        "started_at": timestamp(session.started_at),
        "last_seen_at": timestamp(session.last_seen_at),
        "bets": 0,
        "staked": 0,
        "won": 0,
    }
    if session.ended_at is not None:
        document["ended_at"] = timestamp(session.ended_at)
    if session.reality_check_minutes is not None:
        # Only sessions with reality checks (player protection's) carry them; absent reads as none.
        document["reality_check_minutes"] = session.reality_check_minutes
        document["reality_checks_due"] = session.reality_checks_due
    if place is not None:
        document["place"] = place
    return document


def _session_from(session_id: str, document: Document) -> Session:
    return Session(
        session_id=session_id,
        player_id=document["player_id"],
        status=SessionStatus(document["status"]),
        started_at=datetime.fromisoformat(document["started_at"]),
        last_seen_at=datetime.fromisoformat(document["last_seen_at"]),
        ended_at=datetime.fromisoformat(document["ended_at"]) if "ended_at" in document else None,
        activity=SessionActivity(
            bets=int(document["bets"]), staked=int(document["staked"]), won=int(document["won"])
        ),
        reality_check_minutes=(
            int(document["reality_check_minutes"]) if "reality_check_minutes" in document else None
        ),
        reality_checks_due=int(document.get("reality_checks_due", 0)),
    )
