"""The wallet's outbox relay on GCP: each new ledger entry's events, from Firestore to Pub/Sub.

The walletOutbox function (infra/modules/wallet) gets two kinds of CloudEvent:
- `google.cloud.firestore.document.v1.created`, from an Eventarc Firestore trigger on
  players/{player}/ledger/{entry} of the casino database: one per new ledger entry. Its `subject` names
  the document (`documents/players/<player>/ledger/<entry>`), and the relay READS that document instead of
  decoding the event's payload. The payload is a protobuf DocumentEventData (application/protobuf: it
  needs the generated google-events types to decode) and it is the document as it was created, so a
  redelivery after the entry was relayed would publish it again; the document read now says whether it
  was, costs one GetDocument, comes typed through the wallet's own client, and is the same read the
  sweep does.
- `wallet.outbox.sweep`, from a Cloud Scheduler job (every minute): the entries still unrelayed a minute
  after their commit (a trigger that never came: Eventarc gives up on an event after 24 hours, and a
  deployment or an outage can lose one), at most SWEEP_LIMIT per run, oldest first.

Relaying an entry: publish its events to Pub/Sub in order (adapters/pubsub.py: the player id is each
message's ordering key; the trace context the entry kept, `outbox_trace`, is each message's
`traceparent`, so the workers log under the trace of the request that moved the money), then mark the
entry relayed (`outbox_relayed_at` set, `outbox_pending` deleted) so a redelivery or the sweep publishes
nothing new. A publish that fails raises OutboxNotRelayed: the trigger redelivers (RETRY_POLICY_RETRY)
and the sweep finds the entry anyway; an event published before the failure goes out again with the same
event id (the workers apply each event id once). An entry whose outbox cannot be read goes to the
dead-letter topic with its path, is marked `outbox_dead_lettered_at`, and the others go on.

What the wallet writes for the sweep: `outbox_pending`, the commit's server timestamp, in the entry
itself (adapters/firestore_wallet.py), so nothing more is written on the player's path, and deleted on
relay. Firestore indexes only the documents that have a field, so the sweep's query (a collection-group
range on `outbox_pending`, infra/modules/wallet's index) reads the pending entries alone, however long
the ledger grows. Order between two entries of one player is the order their triggers are delivered in:
Firestore triggers do not promise the commit order, so each event carries its own time and id.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Protocol
from urllib.parse import unquote

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from ..gcp_trace import set_trace, trace_of
from ..outbox import (
    EventSink,
    LoggingTelemetry,
    MalformedOutbox,
    OutboxPublisher,
    OutboxTelemetry,
    PoisonSink,
    read_outbox,
)
from .firestore_wallet import OUTBOX_PENDING, OUTBOX_TRACE, PLAYERS

CREATED = "google.cloud.firestore.document.v1.created"
SWEEP = "wallet.outbox.sweep"
RELAYED_AT = "outbox_relayed_at"
DEAD_LETTERED_AT = "outbox_dead_lettered_at"
LEDGER = "ledger"
# A trigger is delivered within seconds; an entry still pending a minute after its commit lost its own.
SWEEP_AGE = timedelta(seconds=60)
# Entries relayed per sweep at most (one run stays well inside the function's timeout); the rest next run.
SWEEP_LIMIT = 500


class Relayed(Enum):
    """What relaying one ledger entry did."""

    PUBLISHED = "published"
    ALREADY = "already relayed"
    NOTHING = "no outbox"
    MISSING = "no such entry"
    DEAD_LETTERED = "dead-lettered"


class OutboxNotRelayed(RuntimeError):
    """Pub/Sub took neither the entry's events nor its dead letter: raised so the event is delivered again."""


@dataclass(frozen=True)
class SweepReport:
    """One sweep's count of entries by what relaying them did; `full` if it stopped at its limit."""

    relayed: dict[Relayed, int]
    full: bool


class _Message(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...


class FirestoreOutboxRelay:
    """Relays ledger entries' outboxes from Firestore: one named by a trigger, or every pending one."""

    def __init__(
        self,
        client: Any,
        bus: EventSink,
        dead_letters: PoisonSink,
        telemetry: OutboxTelemetry | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.client = client
        self.publisher = OutboxPublisher(bus, dead_letters, telemetry or LoggingTelemetry())
        self.clock = clock or (lambda: datetime.now(UTC))

    def relay_entry(self, path: str) -> Relayed:
        """Relay the entry at `path` (players/<player>/ledger/<entry>), read now: one GetDocument."""
        snapshot = self.client.document(path).get()
        if not snapshot.exists:
            return Relayed.MISSING
        return self._relay(path, snapshot.to_dict())

    def sweep(self, older_than: timedelta = SWEEP_AGE, limit: int = SWEEP_LIMIT) -> SweepReport:
        """Relay the entries pending for longer than `older_than`, oldest first, at most `limit`.

        A publish failure stops the sweep (raising): the player's later entries wait for the next run
        rather than go out ahead of the one that failed.
        """
        cutoff = self.clock() - older_than
        query = (
            self.client.collection_group(LEDGER)
            .where(filter=FieldFilter(OUTBOX_PENDING, "<=", cutoff))
            .order_by(OUTBOX_PENDING)
            .limit(limit)
        )
        done: Counter[Relayed] = Counter()
        # The run's marks go in one WriteBatch (up to 500 writes, SWEEP_LIMIT) instead of a commit per
        # entry; the entries published before a failure are marked too, on the way out.
        marks = self.client.batch()
        try:
            for snapshot in query.stream():
                done[self._relay(snapshot.reference.path, snapshot.to_dict(), marks)] += 1
        finally:
            if len(marks):
                marks.commit()
        return SweepReport(dict(done), full=sum(done.values()) >= limit)

    def _relay(self, path: str, document: dict[str, Any], marks: Any = None) -> Relayed:
        if RELAYED_AT in document or DEAD_LETTERED_AT in document:
            return Relayed.ALREADY
        if "outbox" not in document and OUTBOX_PENDING not in document:
            return Relayed.NOTHING  # an entry whose operation raised no event (a rollback's tombstone)
        where = {"document": path}
        try:
            events = read_outbox(document.get("outbox"))
        except MalformedOutbox as error:
            if not self.publisher.dead_letter(str(error), where, {"outbox": document.get("outbox")}):
                raise OutboxNotRelayed(f"{path}: not dead-lettered") from None
            self._mark(path, DEAD_LETTERED_AT, marks)
            return Relayed.DEAD_LETTERED
        set_trace(trace_of({"traceparent": document.get(OUTBOX_TRACE)}))
        try:
            published = self.publisher.publish(events, where)
        finally:
            set_trace(None)
        if not published:
            raise OutboxNotRelayed(f"{path}: its events were not published")
        self._mark(path, RELAYED_AT, marks)
        return Relayed.PUBLISHED

    def _mark(self, path: str, done: str, marks: Any = None) -> None:
        """Mark the entry done: now (one commit), or with the sweep's batch (`marks`).

        A plain update, not a transaction: a money operation that rewrites this entry (a rollback marks
        its bet) does so in a transaction holding it, so neither write can undo the other.
        """
        fields = {done: firestore.SERVER_TIMESTAMP, OUTBOX_PENDING: firestore.DELETE_FIELD}
        if marks is None:
            self.client.document(path).update(fields)
        else:
            marks.update(self.client.document(path), fields)


def entry_path(subject: object) -> str:
    """The ledger entry a Firestore event's subject names (`documents/players/<p>/ledger/<e>`).

    Each segment is percent-decoded, should the subject carry an id encoded: the API's ids never hold
    a `%` (api/schemas.py), so decoding never changes an id that was not encoded.
    """
    parts = [unquote(part) for part in subject.split("/")] if isinstance(subject, str) else []
    shaped = len(parts) == 5 and parts[0] == "documents" and parts[1] == PLAYERS and parts[3] == LEDGER
    if not shaped or any(not part or "/" in part for part in parts):
        raise ValueError(f"the event's subject is not a ledger entry: {subject!r}")
    return "/".join(parts[1:])


def on_cloud_event(relay: FirestoreOutboxRelay, event: _Message) -> Relayed | SweepReport:
    """Relay the entry a Firestore trigger names, or sweep when the scheduler asks; raise to be retried."""
    kind = event.get("type")
    if kind == CREATED:
        return relay.relay_entry(entry_path(event.get("subject")))
    if kind == SWEEP:
        return relay.sweep()
    raise ValueError(f"walletOutbox takes {CREATED} and {SWEEP} events, not {kind!r}")


_relay: FirestoreOutboxRelay | None = None


def gcp_relay(environment: Mapping[str, str] = os.environ) -> FirestoreOutboxRelay:
    """The relay of the deployed function (its variables: infra/modules/wallet), made on first use."""
    global _relay  # one set of clients per instance
    if _relay is None:
        from ..settings import SettingsError
        from .pubsub import PubSubMessages, from_environment

        names = ("FIRESTORE_DATABASE", "EVENT_TOPICS", "OUTBOX_DEAD_LETTER_TOPIC")
        missing = [name for name in names if not environment.get(name)]
        if missing:
            raise SettingsError(f"{', '.join(missing)} must be set (infra/modules/wallet sets them)")
        client = firestore.Client(
            project=environment.get("GOOGLE_CLOUD_PROJECT"), database=environment["FIRESTORE_DATABASE"]
        )
        _relay = FirestoreOutboxRelay(
            client,
            from_environment(environment["EVENT_TOPICS"]),
            PubSubMessages(environment["OUTBOX_DEAD_LETTER_TOPIC"]),
        )
    return _relay


def wallet_outbox(cloud_event: Any) -> None:
    """The walletOutbox function (functions-framework, signature type cloudevent)."""
    result = on_cloud_event(gcp_relay(), cloud_event)
    LoggingTelemetry.logger.info("walletOutbox: %s", json.dumps(_shown(result)))


def _shown(result: Relayed | SweepReport) -> object:
    if isinstance(result, Relayed):
        return result.value
    return {"relayed": {kind.value: count for kind, count in result.relayed.items()}, "full": result.full}
