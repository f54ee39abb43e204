"""Attacks on input patterns (finding 9): a trailing newline or an invented currency must not get in.

`$` in a Python pattern also matches before a final newline, so `EUR\\n` passed a `^[A-Z]{3}$` check
and opened a second wallet currency; any three letters did too. Every pattern is matched in full.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.http_api import ApiClient

DEPOSIT = {"transaction_id": "dep-1", "amount": 1_000, "currency": "EUR"}
BET = {"transaction_id": "bet-1", "round_id": "round-1", "amount": 100, "currency": "EUR"}


def balance(api: ApiClient) -> Any:
    return api.get("/wallet").json


@pytest.mark.parametrize(
    "currency",
    [
        pytest.param("EUR\n", id="trailing-newline"),
        pytest.param("XYZ", id="not-iso-4217"),
        pytest.param("XAU", id="gold-is-no-wallet-currency"),
        pytest.param("XTS", id="the-testing-code"),
        pytest.param("eur", id="lower-case"),
        pytest.param("EURO", id="four-letters"),
    ],
)
@pytest.mark.parametrize("path", ["/wallet/deposits", "/wallet/bets"])
def test_a_currency_outside_iso_4217_opens_no_wallet(api: ApiClient, path: str, currency: str) -> None:
    response = api.post(path, {**(DEPOSIT if path.endswith("deposits") else BET), "currency": currency})

    assert (response.status, response.error["field"]) == (422, "currency")
    assert balance(api) == {"currency": None, "cash": 0, "bonus": 0}


@pytest.mark.parametrize("field", ["transaction_id", "session_id"])
@pytest.mark.parametrize("suffix", ["\n", "\r\n", " ", "\t"])
def test_an_id_with_trailing_whitespace_is_refused(api: ApiClient, field: str, suffix: str) -> None:
    api.post("/wallet/deposits", DEPOSIT)
    bet = {**BET, "session_id": "sess-1"}

    response = api.post("/wallet/bets", {**bet, field: bet[field] + suffix})

    assert (response.status, response.error["field"]) == (422, field)
    assert balance(api)["cash"] == 1_000


def test_a_deposit_id_with_a_trailing_newline_is_refused(api: ApiClient) -> None:
    response = api.post("/wallet/deposits", {**DEPOSIT, "transaction_id": "dep-1\n"})

    assert (response.status, response.error["field"]) == (422, "transaction_id")
    assert balance(api)["cash"] == 0


def test_a_real_currency_still_opens_the_wallet(api: ApiClient) -> None:
    assert api.post("/wallet/deposits", {**DEPOSIT, "currency": "CHF"}).status == 201
    assert balance(api) == {"currency": "CHF", "cash": 1_000, "bonus": 0}
