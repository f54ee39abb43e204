"""What every route shares: JSON errors, correlation ids, CORS from the allow-list, security headers."""

from __future__ import annotations

import pytest
from tests.api.http_api import ALLOWED_ORIGIN, ApiClient


def test_health_needs_no_sign_in(api: ApiClient) -> None:
    response = api.get("/health", player=None)

    assert (response.status, response.json) == (200, {"status": "ok"})


def test_unknown_route_is_a_json_404(api: ApiClient) -> None:
    response = api.get("/no-such-route")

    assert response.status == 404
    assert response.error["code"] == "not_found"


def test_wrong_method_is_a_json_405_naming_the_allowed_ones(api: ApiClient) -> None:
    response = api.delete("/health")

    assert response.status == 405
    assert response.error["code"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]


def test_correlation_id_from_the_caller_is_echoed(api: ApiClient) -> None:
    response = api.get("/health", headers={"x-correlation-id": "checkout-42"})

    assert response.headers["x-correlation-id"] == "checkout-42"


@pytest.mark.parametrize("bad", ["has spaces", "x" * 200, "semi;colon"])
def test_unusable_correlation_id_is_replaced_by_the_request_id(api: ApiClient, bad: str) -> None:
    response = api.get("/health", headers={"x-correlation-id": bad})

    assert response.headers["x-correlation-id"] == "req-0001"


def test_responses_are_not_cached_or_sniffed(api: ApiClient) -> None:
    response = api.get("/health")

    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_cors_preflight_from_an_allowed_origin_is_answered(api: ApiClient) -> None:
    response = api.request(
        "OPTIONS",
        "/health",
        player=None,
        headers={"origin": ALLOWED_ORIGIN, "access-control-request-method": "GET"},
    )

    assert response.status == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "x-correlation-id" in response.headers["access-control-allow-headers"]
    assert "Origin" in response.headers["vary"]


def test_cors_never_answers_another_origin_or_a_wildcard(api: ApiClient) -> None:
    response = api.get("/health", headers={"origin": "https://evil.example.net"})

    assert response.status == 200
    assert "access-control-allow-origin" not in response.headers
    assert "*" not in response.headers.values()
