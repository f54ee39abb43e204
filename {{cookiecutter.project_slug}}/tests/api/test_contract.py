"""The OpenAPI document (api/openapi.yaml) is valid OpenAPI 3.1 and describes the app exactly.

Every answer of the API tests is also checked against it, in ApiClient (tests/api/http_api.py).
"""

from __future__ import annotations

from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from tests.api.contract import app_operations, contract_violations, document, documented_operations
from tests.api.http_api import ApiClient


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(document(), cls=OpenAPIV31SpecValidator)

    assert document()["openapi"] == "3.1.0"


def test_every_route_is_documented_and_every_documented_operation_is_a_route(api: ApiClient) -> None:
    routes = app_operations(api.app)

    assert sorted(routes - documented_operations()) == [], "routes missing from the document"
    assert sorted(documented_operations() - routes) == [], "documented operations the app does not have"


def test_an_answer_outside_the_contract_is_caught(api: ApiClient) -> None:
    """The check ApiClient runs on every answer can fail: a status or a body the document lacks."""
    assert contract_violations(api.app, "GET", "/health", 200, {"status": "ok"}) == []
    assert contract_violations(api.app, "GET", "/health", 202, {"status": "ok"}) != []
    assert contract_violations(api.app, "GET", "/health", 200, {"status": "ok", "extra": 1}) != []
    assert contract_violations(api.app, "GET", "/no-such-route", 404, {"error": "flat"}) != []
