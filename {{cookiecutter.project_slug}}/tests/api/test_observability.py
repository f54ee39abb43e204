"""Logs carry the correlation id and no bodies or personal data; failed sign-ins reach the audit trail."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from tests.api.http_api import PLAYER, ApiClient

from {{ cookiecutter.package_name }} import observability
from {{ cookiecutter.package_name }}.adapters.memory import InMemoryEventPublisher
from {{ cookiecutter.package_name }}.api.app import Services, create_app
from {{ cookiecutter.package_name }}.registry import enabled

# Values that must never reach a log line: they come from the body, the token or the connection. A bet
# carries the most a log could leak; a project without the wallet signs in instead (one route is enough:
# a list per module would only repeat it).
BODY: dict[str, Any] = (
    {"transaction_id": "bet-7f3a9c", "round_id": "round-7f3a9c", "amount": 4321, "currency": "EUR"}
    if enabled("wallet")
    else {}
)
A_PLAYER_ROUTE = ("POST", "/wallet/bets", BODY) if enabled("wallet") else ("POST", "/sessions", BODY)
SOURCE_IP = "203.0.113.10"


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[dict[str, Any]]]:
    """The JSON log lines the app writes, through a Powertools Logger of its own."""
    stream = io.StringIO()
    logger = Logger(service=f"log-capture-{uuid.uuid4().hex[:8]}", stream=stream)
    monkeypatch.setattr(observability, "_logger", logger)
    return lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_log_line_of_a_request_carries_its_correlation_id(
    api: ApiClient, log_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    method, path, body = A_PLAYER_ROUTE

    api.request(method, path, body, headers={"x-correlation-id": "round-42"})

    lines = log_lines()
    assert lines
    assert {line.get("correlation_id") for line in lines} == {"round-42"}
    (handled,) = [line for line in lines if line["message"] == "request handled"]
    assert handled["route"] == path


def test_logs_hold_no_request_body_token_claims_or_connection_details(
    api: ApiClient, log_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    method, path, body = A_PLAYER_ROUTE

    api.request(method, path, body)
    api.request(method, path, raw_body='{"transaction_id": "oops-9d2e", "amount": ')

    text = json.dumps(log_lines())
    forbidden = [PLAYER, SOURCE_IP, "pytest", "issuer.example.com", "oops-9d2e", *map(str, BODY.values())]
    assert [value for value in forbidden if value in text] == []


def test_an_unexpected_error_is_logged_with_the_correlation_id_and_no_body(
    log_lines: Callable[[], list[dict[str, Any]]],
) -> None:
    def broken_services() -> Services:
        raise RuntimeError("the table is gone")

    method, path, body = A_PLAYER_ROUTE
    response = ApiClient(create_app(broken_services)).request(method, path, body)

    assert response.status == 500
    (logged,) = [line for line in log_lines() if line["message"] == "unexpected error"]
    assert logged["correlation_id"] == "req-0001"
    assert PLAYER not in json.dumps(logged)


def test_a_player_route_without_a_verified_player_is_audited_as_a_failed_sign_in(
    api: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    method, path, body = A_PLAYER_ROUTE

    response = api.request(method, path, body, player=None, headers={"x-correlation-id": "probe-1"})

    assert response.status == 401
    (failed,) = [event for event in publisher.events if event.name == "PlayerSignInFailed"]
    assert failed.source == "{{ cookiecutter.package_name }}.api"
    assert failed.correlation_id == "probe-1"
    assert failed.detail == {
        "route": path,
        "reason": "a signed-in player is required",
        "request_id": "req-0001",
    }


def test_a_failed_sign_in_that_cannot_be_published_is_still_a_401(services: Services) -> None:
    class DownPublisher(InMemoryEventPublisher):
        def publish(self, events: Any) -> None:
            raise ConnectionError("EventBridge is unreachable")

    api = ApiClient(create_app(Services(**{**vars(services), "events": DownPublisher()})))
    method, path, body = A_PLAYER_ROUTE

    assert api.request(method, path, body, player=None).status == 401
