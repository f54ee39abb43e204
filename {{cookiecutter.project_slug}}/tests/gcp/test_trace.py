"""Each log line joins the trace Cloud Run records for its request, on the API, a push worker and a job.

The api function reads the request's `traceparent` (or X-Cloud-Trace-Context) header; every JSON line
of the request then carries Cloud Logging's trace fields (gcp_trace.py). An event published under
a trace carries it as the `traceparent` attribute; the Pub/Sub emulator pushes it to a worker served by
functions-framework, whose lines carry the same trace. A header that is not a valid trace context gives
no trace: a caller cannot write the fields of a line.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from functions_framework import create_app
from tests.gcp.firestore_emulator import PROJECT
from tests.gcp.functions import ROOT, function_client, scheduler_call
from werkzeug.serving import make_server

from {{ cookiecutter.package_name }} import observability
from {{ cookiecutter.package_name }}.adapters.memory import FixedClock
from {{ cookiecutter.package_name }}.adapters.pubsub import PubSubPublisher
from {{ cookiecutter.package_name }}.domain.events import DomainEvent
from {{ cookiecutter.package_name }}.gcp_scheduled import answer
from {{ cookiecutter.package_name }}.gcp_trace import (
    SAMPLED_FIELD,
    SPAN_FIELD,
    TRACE_FIELD,
    set_trace,
    trace_of,
)
from {{ cookiecutter.package_name }}.observability import get_logger

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
# The API's events go on the `core` topic, which the auditTrail worker takes.
API_SOURCE = "{{ cookiecutter.package_name }}.api"
TRACED = {
    TRACE_FIELD: f"projects/{PROJECT}/traces/{TRACE_ID}",
    SPAN_FIELD: "00f067aa0ba902b7",
    SAMPLED_FIELD: True,
}


@pytest.fixture(autouse=True)
def deployed_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """The log as a deployed function writes it: JSON lines (its runtime lock has no Powertools, which
    the dev environment has: tests/gcp/test_runtime_lock.py), and GOOGLE_CLOUD_PROJECT, which infra/
    gives every function, so the trace field names the project."""
    monkeypatch.setattr(observability, "_logger", observability.JsonLinesLogger("casino", "INFO"))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)


def log_lines(captured: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def traces(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{field: line.get(field) for field in TRACED} for line in lines]


def test_the_w3c_header_gives_the_trace_and_cloud_runs_older_header_is_read_when_it_is_absent() -> None:
    cloud = f"{TRACE_ID}/{int('00f067aa0ba902b7', 16)};o=1"

    assert trace_of({"traceparent": TRACEPARENT, "X-Cloud-Trace-Context": f"{'1' * 32}/1;o=1"}) == TRACEPARENT
    assert trace_of({"X-Cloud-Trace-Context": cloud}) == TRACEPARENT
    assert trace_of({"X-Cloud-Trace-Context": f"{TRACE_ID}/1"}) == f"00-{TRACE_ID}-0000000000000001-00"
    assert trace_of({"traceparent": "00-bad", "X-Cloud-Trace-Context": cloud}) == TRACEPARENT


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"traceparent": TRACEPARENT.upper()},
        {"traceparent": f"ff-{TRACE_ID}-00f067aa0ba902b7-01"},
        {"traceparent": f"00-{'0' * 32}-00f067aa0ba902b7-01"},
        {"traceparent": f"00-{TRACE_ID}-{'0' * 16}-01"},
        {"traceparent": TRACEPARENT + '\n{"severity": "ERROR"}'},
        {"traceparent": TRACEPARENT + "-" + "a" * 8192},
        {"X-Cloud-Trace-Context": f"{TRACE_ID}/{2**64};o=1"},
        {"X-Cloud-Trace-Context": f"{TRACE_ID}/0;o=1"},
        {"X-Cloud-Trace-Context": f"{TRACE_ID}/1;o=1 injected"},
        {"traceparent": 7},
    ],
)
def test_a_malformed_or_oversized_header_gives_no_trace(headers: dict[str, Any]) -> None:
    assert trace_of(headers) is None


def test_every_line_of_an_api_request_carries_its_trace(capsys: pytest.CaptureFixture[str]) -> None:
    api = function_client("api")
    capsys.readouterr()

    api.get("/health", headers={"traceparent": TRACEPARENT})
    traced = log_lines(capsys.readouterr().out)
    api.get("/health", headers={"traceparent": TRACEPARENT + "-forged", "X-Cloud-Trace-Context": "forged"})
    untraced = log_lines(capsys.readouterr().out)

    assert [line["message"] for line in traced] == ["request handled"]
    assert traces(traced) == [TRACED]
    assert [line["message"] for line in untraced] == ["request handled"]
    assert all(field not in untraced[0] for field in TRACED)


def test_a_scheduled_run_logs_under_the_trace_of_its_call(capsys: pytest.CaptureFixture[str]) -> None:
    cloud = {"X-Cloud-Trace-Context": f"{TRACE_ID}/{int('00f067aa0ba902b7', 16)};o=1"}

    def step(call: Any) -> dict[str, Any]:
        get_logger().info("scheduled step")
        return {}

    answer("traced job", {**scheduler_call(), **cloud}, FixedClock(datetime(2030, 1, 1, tzinfo=UTC)), step)
    get_logger().info("after the run")

    lines = log_lines(capsys.readouterr().out)
    assert [line["message"] for line in lines] == ["scheduled step", "after the run"]
    assert traces(lines[:1]) == [TRACED]
    assert all(field not in lines[1] for field in TRACED)


@pytest.fixture
def worker_url() -> Iterator[str]:
    """The auditTrail worker served by functions-framework on a local port, as the push's endpoint."""
    app = create_app(target="audit_trail", source=str(ROOT / "main.py"), signature_type="http")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    thread.join()


def test_an_event_published_under_a_trace_is_pushed_to_a_worker_that_logs_under_it(
    pubsub_host: str, worker_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from google.cloud import pubsub_v1

    run = f"trace-{time.monotonic_ns()}"
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    topic = publisher.topic_path(PROJECT, f"{run}-core-events")
    subscription = subscriber.subscription_path(PROJECT, f"{run}-audit-trail")
    publisher.create_topic(request={"name": topic})
    subscriber.create_subscription(
        request={"name": subscription, "topic": topic, "push_config": {"push_endpoint": worker_url}}
    )
    event = DomainEvent("TraceProbe", API_SOURCE, {"probe": run}, "corr-trace", datetime.now(UTC))
    set_trace(TRACEPARENT)
    try:
        PubSubPublisher({"core": topic}).publish([event])
    finally:
        set_trace(None)

    pushed: list[dict[str, Any]] = []
    deadline = time.monotonic() + 30
    while not pushed and time.monotonic() < deadline:
        time.sleep(0.2)
        lines = log_lines(capsys.readouterr().out)
        pushed = [line for line in lines if line.get("message", "").startswith("audit push ignored")]
    subscriber.delete_subscription(request={"subscription": subscription})

    assert [line["correlation_id"] for line in pushed] == ["corr-trace"]
    assert traces(pushed) == [TRACED]
