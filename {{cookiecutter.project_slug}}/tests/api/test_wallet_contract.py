"""The wallet's part of the OpenAPI document: currencies, and what a server call's signature covers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.api.contract import document

from {{ cookiecutter.package_name }}.api.currencies import ISO_4217_CURRENCIES


def test_every_currency_of_the_list_fits_the_documented_currency() -> None:
    pattern = document()["components"]["schemas"]["Currency"]["pattern"]

    assert [code for code in sorted(ISO_4217_CURRENCIES) if not re.fullmatch(pattern, code)] == []


@pytest.mark.parametrize(
    ("schema", "fields"),
    [
        ("PaymentRequest", {"player_id", "kind", "transaction_id", "amount", "currency"}),
        (
            "WinRequest",
            {"player_id", "kind", "transaction_id", "bet_transaction_id", "round_id", "amount", "currency"},
        ),
        ("RollbackRequest", {"player_id", "kind", "transaction_id", "bet_transaction_id", "round_id"}),
    ],
)
def test_server_calls_sign_the_player_and_the_kind(schema: str, fields: set[str]) -> None:
    documented: dict[str, Any] = document()["components"]["schemas"][schema]

    assert set(documented["required"]) == fields
