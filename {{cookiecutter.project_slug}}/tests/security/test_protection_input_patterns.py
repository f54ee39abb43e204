"""Attacks on input patterns (finding 9), player protection's part: a limit's currency is matched in full."""

from __future__ import annotations

import pytest
from tests.api.http_api import ApiClient


@pytest.mark.parametrize("currency", ["EUR\n", "XYZ"])
@pytest.mark.parametrize("amount", [1_000, None])
def test_a_limit_in_an_invented_currency_is_refused(
    api: ApiClient, currency: str, amount: int | None
) -> None:
    body = {"kind": "deposit", "period": "day", "amount": amount, "currency": currency}

    response = api.post("/players/me/limits", body)

    assert (response.status, response.error["field"]) == (422, "currency")
