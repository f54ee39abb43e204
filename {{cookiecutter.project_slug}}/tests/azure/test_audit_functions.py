"""The audit trail's function app on Azurite, its functions called as the host calls them (its index).

A critical event delivered to auditTrail is appended once (a redelivery adds nothing) and its record
handed to the archive's queue; auditArchive writes that message to the write-once container;
verifyAuditTrail finds the chain intact, and raises once an archived record no longer matches the
chain. Malformed messages raise (the host retries, then poisons them: tests/azure/test_queue_poison.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("azure.functions", reason="azure-functions is not installed (requirements-azure.txt)")
pytest.importorskip("azure.data.tables", reason="azure-data-tables is not installed (requirements-azure.txt)")

import azure.functions as func
from azure.functions.timer import TimerRequest
from azure.storage.blob import BlobServiceClient
from tests.azure.azurite import Azurite
from tools.azure.event_grid import queue_exists
from tools.azure.function_apps import index_of

from {{ cookiecutter.package_name }}.adapters.event_grid import cloud_event
from {{ cookiecutter.package_name }}.adapters.storage_queues import queue_client
from {{ cookiecutter.package_name }}.azure_apps import audit
from {{ cookiecutter.package_name }}.compliance import AUDITED_EVENTS
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.worker_events import MalformedEvent
from {{ cookiecutter.package_name }}.workers.audit import AuditChainBroken

AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
# Two events this project's trail records (which ones depends on its modules): (source, name).
FIRST, SECOND = sorted(AUDITED_EVENTS)[0], sorted(AUDITED_EVENTS)[-1]


def delivered(audited: tuple[str, str] = FIRST, event_id: str = "event-1") -> func.QueueMessage:
    source, name = audited
    event = DomainEvent(
        name=name,
        source="{{ cookiecutter.package_name }}." + source,
        detail={"player_id": "player-1", "transaction_id": "bet-1", "amount": 100},
        correlation_id="c-1",
        occurred_at=AT,
        event_id=event_id,
    )
    return func.QueueMessage(body=json.dumps(cloud_event(event)).encode())


@pytest.fixture
def audit_app(
    azure_storage: Azurite, table_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Callable[..., Any]]]:
    """The audit app's functions on a fresh chain table and archive container, its archive queue empty."""
    table = table_factory()
    blobs = BlobServiceClient.from_connection_string(azure_storage.connection_string)
    container = blobs.create_container(f"audit-{uuid.uuid4().hex[:12]}")
    archive_queue = queue_client(audit.ARCHIVE_QUEUE, connection_string=azure_storage.connection_string)
    if not queue_exists(archive_queue):
        archive_queue.create_queue()
    archive_queue.clear_messages()
    monkeypatch.setenv("CasinoStorage", azure_storage.connection_string)
    monkeypatch.setenv("AUDIT_TABLE_NAME", table.table_name)
    monkeypatch.setenv("AUDIT_ARCHIVE_CONTAINER", container.container_name)
    for built in (audit.audit_log, audit.audit_trail, audit.audit_archive):
        built.cache_clear()
    yield {name: function.call for name, function in index_of(audit.app).items()}
    for built in (audit.audit_log, audit.audit_trail, audit.audit_archive):
        built.cache_clear()
    archive_queue.clear_messages()
    container.delete_container()


def archive_messages(azure_storage: Azurite) -> list[str]:
    queue = queue_client(audit.ARCHIVE_QUEUE, connection_string=azure_storage.connection_string)
    return [message.content for message in queue.receive_messages(messages_per_page=32)]


def test_a_critical_event_is_appended_once_archived_and_the_chain_verifies(
    audit_app: dict[str, Callable[..., Any]], azure_storage: Azurite
) -> None:
    audit_app["auditTrail"](delivered())
    audit_app["auditTrail"](delivered())  # redelivered: nothing new in the chain
    audit_app["auditTrail"](delivered(SECOND, "event-2"))
    messages = archive_messages(azure_storage)
    for body in messages:
        audit_app["auditArchive"](func.QueueMessage(body=body.encode()))

    records = list(audit.audit_log().records())
    assert [(record.sequence, record.event_id) for record in records] == [(1, "event-1"), (2, "event-2")]
    archived = sorted({record.sequence for body in messages for record in _records(body)})
    assert archived == [1, 2]
    # The redelivery handed record 1 to the archive again: its blob is written once.
    assert len(messages) == 3
    assert len(list(audit.audit_archive().anchors())) == 2
    audit_app["verifyAuditTrail"](TimerRequest(past_due=False))


def test_the_verification_raises_when_an_archived_anchor_disagrees_with_the_chain(
    audit_app: dict[str, Callable[..., Any]], azure_storage: Azurite
) -> None:
    audit_app["auditTrail"](delivered())
    [body] = archive_messages(azure_storage)
    forged = json.loads(body)
    forged["records"][0]["hash"] = "0" * 64  # an anchor the chain does not have
    with pytest.raises(MalformedEvent):  # the archive refuses a record that does not match its hash
        audit_app["auditArchive"](func.QueueMessage(body=json.dumps(forged).encode()))
    audit_app["auditArchive"](func.QueueMessage(body=body.encode()))
    audit.audit_log().table.delete_entity("CHAIN", "RECORD:" + "1".zfill(20))  # a record removed

    with pytest.raises(AuditChainBroken):
        audit_app["verifyAuditTrail"](TimerRequest(past_due=False))


def test_an_event_the_trail_does_not_record_is_acknowledged_and_a_malformed_one_raises(
    audit_app: dict[str, Callable[..., Any]], azure_storage: Azurite
) -> None:
    audit_app["auditTrail"](delivered((FIRST[0], "SomethingElse")))

    assert list(audit.audit_log().records()) == []
    assert archive_messages(azure_storage) == []
    with pytest.raises(MalformedEvent):
        audit_app["auditTrail"](func.QueueMessage(body=b"{not an event"))
    with pytest.raises(MalformedEvent):
        audit_app["auditArchive"](func.QueueMessage(body=b'{"records": []}'))


def _records(body: str) -> list[Any]:
    from {{ cookiecutter.package_name }}.workers.audit import archived_records

    return archived_records(body)
