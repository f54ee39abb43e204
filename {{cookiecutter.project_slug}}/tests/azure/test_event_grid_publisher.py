"""The Event Grid publisher against a local HTTP server standing in for the topic's endpoint.

It checks what the topic receives: a CloudEvents batch with the Entra ID bearer token, the events in
order with their own ids, each with the publishing invocation's W3C traceparent; and that a refusal
raises, so the outbox relay keeps the entry pending.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

pytest.importorskip("azure.core", reason="azure-core is not installed (requirements-azure.txt)")

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError

from {{ cookiecutter.package_name }}.adapters.event_grid import (
    EVENT_GRID_SCOPE,
    EventGridPublisher,
    event_from_delivery,
    traced,
)
from {{ cookiecutter.package_name }}.domain.events import DomainEvent

AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class Identity:
    """A managed identity's token, for the scope asked."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken("token-of-the-app", 4_102_444_800)


class Topic(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict[str, str], Any]]] = []
    status: ClassVar[int] = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Topic.received.append((self.path, dict(self.headers), json.loads(body)))
        self.send_response(Topic.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:  # quiet: the test reads what arrived
        return


@pytest.fixture
def topic() -> Iterator[str]:
    Topic.received, Topic.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Topic)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/events"
    server.shutdown()
    server.server_close()


def event(number: int) -> DomainEvent:
    return DomainEvent(
        name="BetPlaced",
        source="{{ cookiecutter.package_name }}.wallet",
        detail={"player_id": "player-a", "transaction_id": f"bet-{number}"},
        correlation_id="c-1",
        occurred_at=AT,
    )


def test_the_topic_receives_a_cloudevents_batch_with_the_app_s_token(topic: str) -> None:
    identity = Identity()
    events = [event(1), event(2)]

    EventGridPublisher(topic, identity, https_only=False).publish(events)

    [(path, headers, batch)] = Topic.received
    assert path == "/api/events?api-version=2018-01-01"
    assert headers["Content-Type"] == "application/cloudevents-batch+json; charset=utf-8"
    assert headers["Authorization"] == "Bearer token-of-the-app"
    assert identity.scopes == [EVENT_GRID_SCOPE]
    assert [item["id"] for item in batch] == [e.event_id for e in events]
    assert [event_from_delivery(json.dumps(item)) for item in batch] == events


def test_each_event_carries_the_publishing_invocation_s_traceparent_and_none_outside_it(topic: str) -> None:
    publisher = EventGridPublisher(topic, Identity(), https_only=False)

    with traced(TRACE):
        publisher.publish([event(1)])
    with traced("00-not-a-trace-01"):  # a malformed one is never passed on
        publisher.publish([event(2)])
    publisher.publish([event(3)])

    carried = [batch[0].get("traceparent") for _, _, batch in Topic.received]
    assert carried == [TRACE, None, None]


def test_a_refusal_raises_so_the_relay_keeps_the_entry(topic: str) -> None:
    Topic.status = 400

    with pytest.raises(HttpResponseError):
        EventGridPublisher(topic, Identity(), https_only=False).publish([event(1)])


def test_plain_http_is_refused_by_default(topic: str) -> None:
    with pytest.raises(Exception, match=r"(?i)https"):
        EventGridPublisher(topic, Identity()).publish([event(1)])
    assert Topic.received == []
