"""The OpenAPI document (api/openapi.yaml) is valid OpenAPI 3.1 and describes the app exactly.

Every answer of the API tests is also checked against it, in ApiClient (tests/api/http_api.py).
"""

from __future__ import annotations

{% if cookiecutter.module_wallet %}import re
from typing import Any

import pytest
{% endif %}from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from tests.api.contract import app_operations, contract_violations, document, documented_operations
from tests.api.http_api import ApiClient
{%- if cookiecutter.module_wallet %}

from {{ cookiecutter.package_name }}.api.currencies import ISO_4217_CURRENCIES
{%- endif %}


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
{%- if cookiecutter.module_wallet %}


def test_every_currency_of_the_list_fits_the_documented_currency() -> None:
    pattern = document()["components"]["schemas"]["Currency"]["pattern"]

    assert [code for code in sorted(ISO_4217_CURRENCIES) if not re.fullmatch(pattern, code)] == []


@pytest.mark.parametrize(
    ("schema", "fields"),
    [
        ("PaymentRequest", {"player_id", "kind", "transaction_id", "amount", "currency"}),
        ("WinRequest", {"player_id", "kind", "transaction_id", "bet_transaction_id", "amount", "currency"}),
        ("RollbackRequest", {"player_id", "kind", "transaction_id", "bet_transaction_id"}),
    ],
)
def test_server_calls_sign_the_player_and_the_kind(schema: str, fields: set[str]) -> None:
    documented: dict[str, Any] = document()["components"]["schemas"][schema]

    assert set(documented["required"]) == fields
{%- endif %}
