"""The audit trail's hash chain: every link checks, and tampering is caught at the record it touched."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from {{ cookiecutter.package_name }}.adapters.memory import (
    FixedClock,
    InMemoryAuditArchive,
    InMemoryAuditLog,
)
from {{ cookiecutter.package_name }}.domain.audit import (
    GENESIS_HASH,
    AuditEvent,
    AuditRecord,
    AuditTrail,
    ChainHead,
    chain_hash,
    failed_sign_in,
    link,
    verify,
)

RECORDED_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def bet(number: int, amount: int = 100) -> AuditEvent:
    return AuditEvent(
        event_id=f"event-{number}",
        name="BetPlaced",
        source="{{ cookiecutter.package_name }}.wallet",
        occurred_at="2030-01-01T12:00:00+00:00",
        correlation_id=f"round-{number}",
        detail={"player_id": "player-1", "transaction_id": f"bet-{number}", "amount": amount},
    )


def chain_of(count: int) -> list[AuditRecord]:
    return link(ChainHead(), [bet(number) for number in range(1, count + 1)], RECORDED_AT)


def resealed(records: list[AuditRecord], start: int) -> list[AuditRecord]:
    """Records rewritten from `start` (1-based) on with recomputed hashes: what a forger would do."""
    rewritten = records[: start - 1]
    previous = rewritten[-1].hash if rewritten else GENESIS_HASH
    for record in records[start - 1 :]:
        linked = replace(record, previous_hash=previous)
        linked = replace(linked, hash=chain_hash(previous, linked.body()))
        rewritten.append(linked)
        previous = linked.hash
    return rewritten


@pytest.fixture
def trail_parts() -> tuple[AuditTrail, InMemoryAuditLog, InMemoryAuditArchive]:
    log, archive = InMemoryAuditLog(), InMemoryAuditArchive()
    return AuditTrail(log, archive, FixedClock(RECORDED_AT)), log, archive


def test_each_record_links_to_the_one_before() -> None:
    records = chain_of(3)

    assert [record.sequence for record in records] == [1, 2, 3]
    assert records[0].previous_hash == GENESIS_HASH
    assert [record.previous_hash for record in records[1:]] == [record.hash for record in records[:-1]]


def test_hash_is_sha256_over_the_previous_hash_and_the_canonical_record() -> None:
    first = chain_of(1)[0]
    canonical = json.dumps(first.body(), sort_keys=True, separators=(",", ":")).encode()

    assert first.hash == hashlib.sha256(GENESIS_HASH.encode() + b"\n" + canonical).hexdigest()


def test_an_intact_chain_verifies() -> None:
    records = chain_of(5)

    assert verify(records, ChainHead(5, records[-1].hash)) is None


def test_an_edited_record_is_caught_at_that_record() -> None:
    records = chain_of(5)
    records[2] = replace(records[2], detail={**records[2].detail, "amount": 1})

    broken = verify(records)

    assert broken is not None
    assert (broken.sequence, broken.reason) == (3, "its content does not match its hash")


def test_a_removed_record_is_caught_where_it_is_missing() -> None:
    records = chain_of(5)
    del records[2]

    broken = verify(records)

    assert broken is not None
    assert broken.sequence == 3
    assert "missing" in broken.reason


def test_swapped_records_are_caught_at_the_first_of_them() -> None:
    records = chain_of(5)
    records[1], records[2] = records[2], records[1]

    broken = verify(records)

    assert broken is not None
    assert broken.sequence == 2


def test_a_record_moved_to_another_chain_position_does_not_link() -> None:
    records = chain_of(3)
    records[2] = replace(records[2], previous_hash=records[0].hash)

    broken = verify(records)

    assert broken is not None
    assert (broken.sequence, broken.reason) == (3, "does not link to the record before it")


def test_a_cut_off_tail_is_caught_by_the_head() -> None:
    records = chain_of(5)

    broken = verify(records[:3], ChainHead(5, records[-1].hash))

    assert broken is not None
    assert broken.sequence == 4


def test_the_trail_records_archives_and_verifies(
    trail_parts: tuple[AuditTrail, InMemoryAuditLog, InMemoryAuditArchive],
) -> None:
    trail, _, archive = trail_parts

    result = trail.record([bet(1), bet(2)])
    trail.record([bet(3)])

    assert [record.sequence for record in result.appended] == [1, 2]
    assert [records[-1].sequence for records in archive.objects.values()] == [2, 3]
    verification = trail.verify(archive)
    assert (verification.intact, verification.records, verification.anchors) == (True, 3, 2)


def test_a_redelivered_event_is_recorded_once_and_archived_again(
    trail_parts: tuple[AuditTrail, InMemoryAuditLog, InMemoryAuditArchive],
) -> None:
    trail, log, archive = trail_parts
    trail.record([bet(1), bet(2)])

    again = trail.record([bet(2), bet(3), bet(3)])

    assert [record.event_id for record in log.records()] == ["event-1", "event-2", "event-3"]
    assert again.already_recorded == {"event-2": 2}
    assert [record.sequence for record in again.appended] == [3]
    assert trail.verify(archive).intact


def test_a_rewritten_chain_is_caught_by_its_write_once_anchors(
    trail_parts: tuple[AuditTrail, InMemoryAuditLog, InMemoryAuditArchive],
) -> None:
    trail, log, archive = trail_parts
    for number in range(1, 6):
        trail.record([bet(number)])
    # Record 3 is edited and every later hash recomputed: the chain's own links all hold again ...
    log.chain[2] = replace(log.chain[2], detail={**log.chain[2].detail, "amount": 1})
    log.chain[:] = resealed(log.chain, start=3)
    log.chain_head = ChainHead(5, log.chain[-1].hash)
    assert verify(log.chain, log.chain_head) is None

    verification = trail.verify(archive)

    # ... but record 3's archived hash no longer matches.
    assert verification.broken is not None
    assert verification.broken.sequence == 3
    assert verification.broken.reason == "differs from its write-once archive"


def test_a_tampered_record_fails_the_trails_verification(
    trail_parts: tuple[AuditTrail, InMemoryAuditLog, InMemoryAuditArchive],
) -> None:
    trail, log, archive = trail_parts
    trail.record([bet(1), bet(2), bet(3)])
    log.chain[1] = replace(log.chain[1], correlation_id="someone-else")

    verification = trail.verify(archive)

    assert not verification.intact
    assert verification.broken is not None
    assert verification.broken.sequence == 2


def test_records_round_trip_through_their_stored_form() -> None:
    record = chain_of(1)[0]

    assert AuditRecord.from_json(json.loads(json.dumps(record.to_json()))) == record


def test_a_failed_sign_in_names_the_route_and_request_not_the_caller() -> None:
    event = failed_sign_in(
        source="{{ cookiecutter.package_name }}.api",
        route="/wallet",
        reason="a signed-in player is required",
        request_id="req-1",
        correlation_id="corr-1",
        at=RECORDED_AT,
    )
    other_request = failed_sign_in(
        source="{{ cookiecutter.package_name }}.api",
        route="/wallet",
        reason="a signed-in player is required",
        request_id="req-2",
        correlation_id="corr-1",
        at=RECORDED_AT,
    )

    assert event.name == "PlayerSignInFailed"
    assert set(event.detail) == {"route", "reason", "request_id"}
    assert event.event_id != other_request.event_id
