"""The event stream's step into the data lake, in memory: one JSON line per event, landed once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from {{ cookiecutter.package_name }}.adapters.memory_reporting import InMemoryEventLake
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.worker_events import MalformedEvent
from {{ cookiecutter.package_name }}.workers.event_lake import lake_key, land_event

AT = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)


def bet(transaction_id: str = "bet-1", at: datetime = AT, event_id: str = "") -> DomainEvent:
    return DomainEvent(
        name="BetPlaced",
        source="{{ cookiecutter.package_name }}.wallet",
        detail={"player_id": "player-1", "transaction_id": transaction_id, "amount": 100, "currency": "EUR"},
        correlation_id="c-1",
        occurred_at=at,
        event_id=event_id,
    )


def test_an_event_lands_as_one_json_line_in_its_day_s_folder() -> None:
    lake = InMemoryEventLake()

    assert land_event(bet(), lake) == "landed"

    [(key, body)] = lake.objects.items()
    assert key == f"events/date=2026-11-26/{bet().event_id}.jsonl"
    assert body.endswith(b"\n")
    assert body.count(b"\n") == 1
    line = json.loads(body)
    assert (line["id"], line["detail_type"], line["source"]) == (
        bet().event_id,
        "BetPlaced",
        "{{ cookiecutter.package_name }}.wallet",
    )
    assert line["detail"]["transaction_id"] == "bet-1"
    assert line["detail"]["event_id"] == bet().event_id


def test_a_redelivered_event_is_landed_once() -> None:
    lake = InMemoryEventLake()

    outcomes = [land_event(bet(), lake), land_event(bet(), lake), land_event(bet("bet-2"), lake)]

    assert outcomes == ["landed", "skipped: already landed", "landed"]
    assert len(lake.objects) == 2


def test_the_day_is_the_event_s_own_utc_day_not_its_offset_s() -> None:
    # 00:30 in UTC+02:00 is 22:30 UTC the day before.
    at = datetime(2026, 11, 27, 0, 30, tzinfo=timezone(timedelta(hours=2)))

    assert lake_key(bet(at=at)).startswith("events/date=2026-11-26/")


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (bet(event_id="../reports/ggr"), "event id"),
        (bet(event_id="a" * 129), "event id"),
        (bet(at=AT.replace(tzinfo=None)), "occurred_at"),
    ],
    ids=["path-in-id", "long-id", "no-offset"],
)
def test_an_event_without_a_usable_id_or_time_is_malformed_and_not_landed(
    event: DomainEvent, field: str
) -> None:
    lake = InMemoryEventLake()

    with pytest.raises(MalformedEvent, match=field):
        land_event(event, lake)
    assert lake.objects == {}
