"""The reporting app's eventLake on Azurite: every event of the topic as one JSON line in the data lake.

Event Grid delivers every event type to the queue `reporting-eventlake` (infra/modules/reporting:
`event_types = ["*"]`); eventLake writes each to reports/events/date=<YYYY-MM-DD>/<event id>.jsonl,
created only if absent, so a redelivered event is landed once, and a message that is no event raises:
hosted on its queue (tools/azure/queue_host.py) it is retried, then poisoned, and the others land.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")
pytest.importorskip(
    "azure.storage.blob", reason="azure-storage-blob is not installed (requirements-azure.txt)"
)

import azure.functions as func
from azure.storage.blob import BlobServiceClient
from tests.azure.azurite import Azurite
from tests.azure.queue_functions import drain_as_host
from tools.azure.event_grid import EVERY_TYPE, LocalEventGrid, subscriptions
from tools.azure.function_apps import declared, index_of

from {{ cookiecutter.package_name }}.adapters.event_grid import cloud_event
from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client
from {{ cookiecutter.package_name }}.azure_apps import reporting
from {{ cookiecutter.package_name }}.domain.events import DomainEvent

AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
FOLDER = "events/date=2026-11-26/"


def event(name: str, number: int) -> DomainEvent:
    return DomainEvent(
        name=name,
        source="{{ cookiecutter.package_name }}.wallet",
        detail={"player_id": "player-1", "transaction_id": f"tx-{number}", "amount": 100, "currency": "EUR"},
        correlation_id=f"c-{number}",
        occurred_at=AT,
    )


@pytest.fixture
def lake(azure_storage: Azurite, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh reports container (REPORTS_CONTAINER) on Azurite, deleted after the test."""
    service = BlobServiceClient.from_connection_string(azure_storage.connection_string)
    container = service.create_container(f"reports-{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("REPORTS_CONTAINER", container.container_name)
    reporting.event_lake.cache_clear()
    yield container
    reporting.event_lake.cache_clear()
    container.delete_container()


def event_lake() -> Callable[[func.QueueMessage], None]:
    registered: Callable[[func.QueueMessage], None] = index_of(reporting.app)["eventLake"].call
    return registered


def landed(container: Any) -> dict[str, dict[str, Any]]:
    """Each blob of the events folder, its one line read."""
    blobs = {}
    for blob in container.list_blobs(name_starts_with="events/"):
        body = container.download_blob(blob.name).readall()
        assert body.count(b"\n") == 1, blob.name
        assert body.endswith(b"\n"), blob.name
        blobs[blob.name] = json.loads(body)
    return blobs


def test_infra_subscribes_the_event_lake_to_every_event_type() -> None:
    assert subscriptions()["reporting-eventlake"] == frozenset([EVERY_TYPE])
    assert declared()["reporting"]["eventLake"].queue == "reporting-eventlake"


def test_an_event_lands_once_as_a_json_line_and_a_malformed_message_raises(lake: Any) -> None:
    bet = event("BetPlaced", 1)
    body = json.dumps(cloud_event(bet)).encode()
    function = event_lake()

    function(func.QueueMessage(body=body))
    function(func.QueueMessage(body=body))  # redelivered: the blob exists, nothing is written

    blobs = landed(lake)
    assert list(blobs) == [f"{FOLDER}{bet.event_id}.jsonl"]
    line = blobs[f"{FOLDER}{bet.event_id}.jsonl"]
    assert (line["detail_type"], line["source"], line["detail"]["transaction_id"]) == (
        "BetPlaced",
        "{{ cookiecutter.package_name }}.wallet",
        "tx-1",
    )
    properties = lake.get_blob_client(f"{FOLDER}{bet.event_id}.jsonl").get_blob_properties()
    assert properties.content_settings.content_type == "application/x-ndjson"
    with pytest.raises(ValueError, match="CloudEvent"):
        function(func.QueueMessage(body=b"{not an event"))
    assert len(landed(lake)) == 1


def test_hosted_on_its_queue_every_event_type_lands_once_and_a_malformed_message_is_poisoned(
    lake: Any, azure_storage: Azurite, queue_factory: Callable[[], str]
) -> None:
    name = queue_factory()
    grid = LocalEventGrid(azure_storage.connection_string, {name: frozenset([EVERY_TYPE])})
    events = [event("BetPlaced", 1), event("BetSettled", 2), event("SessionUpdated", 3)]
    grid.publish(events[:2])
    queue_client(name, connection_string=azure_storage.connection_string).send_message("{not an event")
    grid.publish([events[2], events[0]])  # the bet delivered twice: landed once
    function = event_lake()

    deliveries = drain_as_host(azure_storage.connection_string, name, function)

    blobs = landed(lake)
    assert sorted(blobs) == sorted(f"{FOLDER}{each.event_id}.jsonl" for each in events)
    assert sorted(line["detail_type"] for line in blobs.values()) == [
        "BetPlaced",
        "BetSettled",
        "SessionUpdated",
    ]
    assert deliveries.poisoned == ["{not an event"]
    assert deliveries.processed == 4
