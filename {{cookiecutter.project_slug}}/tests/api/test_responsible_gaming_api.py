"""Player protection over HTTP: limits, self-exclusion, cool-off, the KYC route and the wallet's refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tests.api.http_api import PLAYER, ApiClient

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.api.server_calls import GAME_SERVER
from {{ cookiecutter.package_name }}.compliance import LIMITS_POLICY

NEW_PLAYER = "player-3"  # not verified by the fixtures
KYC_SCOPES = ("players:kyc",)


def names(publisher: InMemoryEventPublisher) -> list[str]:
    return [event.name for event in publisher.events]


@pytest.fixture
def funded(api: ApiClient, publisher: InMemoryEventPublisher) -> ApiClient:
    """PLAYER (verified by the fixtures) holds 100.00 EUR; the deposit's event is cleared."""
    deposit = api.post("/wallet/deposits", {"transaction_id": "dep-0", "amount": 10_000, "currency": "EUR"})
    assert deposit.status == 201
    publisher.events.clear()
    return api


def bet(api: ApiClient, transaction_id: str, amount: int, **kwargs: Any) -> Any:
    return api.post(
        "/wallet/bets",
        {"transaction_id": transaction_id, "round_id": "round-1", "amount": amount, "currency": "EUR"},
        **kwargs,
    )


def test_a_new_player_sees_an_unverified_protection(api: ApiClient) -> None:
    response = api.get("/players/me/protection", player=NEW_PLAYER)

    assert response.status == 200
    assert response.json == {
        "player_id": NEW_PLAYER,
        "kyc_status": "unverified",
        "may_play": False,
        "self_excluded_until": None,
        "cooling_off_until": None,
        "limits": [],
        "pending": [],
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/players/me/protection"),
        ("POST", "/players/me/limits"),
        ("POST", "/players/me/self-exclusion"),
        ("POST", "/players/me/cool-off"),
        ("POST", f"/players/{PLAYER}/kyc"),
    ],
)
def test_every_protection_route_needs_a_signed_in_player(api: ApiClient, method: str, path: str) -> None:
    response = api.request(method, path, {}, player=None)

    assert response.status == 401
    assert response.error["code"] == "unauthorized"


@pytest.mark.parametrize(
    "sender",
    [
        pytest.param({"caller": GAME_SERVER}, id="another-servers-client"),
        pytest.param({"scopes": ("wallet:credit",)}, id="kyc-client-without-the-kyc-scope"),
    ],
)
def test_the_kyc_route_needs_the_kyc_providers_client_and_scope(
    api: ApiClient, sender: dict[str, Any]
) -> None:
    response = api.post(f"/players/{NEW_PLAYER}/kyc", {"status": "verified"}, **sender)

    assert response.status == 403
    assert api.get("/players/me/protection", player=NEW_PLAYER).json["kyc_status"] == "unverified"


def test_a_kyc_verdict_signed_for_another_player_is_refused(api: ApiClient) -> None:
    response = api.post(f"/players/{NEW_PLAYER}/kyc", {"player_id": PLAYER, "status": "rejected"})

    assert (response.status, response.error["code"]) == (403, "player_mismatch")
    assert api.get("/players/me/protection").json["kyc_status"] == "verified"


def test_the_kyc_provider_verifies_a_player_who_may_then_play(
    api: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    deposit = {"transaction_id": "dep-1", "amount": 1_000, "currency": "EUR"}
    refused = api.post("/wallet/deposits", deposit, player=NEW_PLAYER)
    assert (refused.status, refused.error["code"]) == (403, "kyc_required")
    assert bet(api, "bet-0", 100, player=NEW_PLAYER).error["code"] == "kyc_required"

    verified = api.post(f"/players/{NEW_PLAYER}/kyc", {"status": "verified"}, scopes=KYC_SCOPES)

    assert (verified.status, verified.json) == (200, {"player_id": NEW_PLAYER, "kyc_status": "verified"})
    assert api.post("/wallet/deposits", deposit, player=NEW_PLAYER).status == 201
    assert bet(api, "bet-1", 100, player=NEW_PLAYER).status == 201
    assert api.get("/players/me/protection", player=NEW_PLAYER).json["may_play"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "approved"}, "status"),
        ({"status": ["verified"]}, "status"),
        ({"status": "verified", "by": "me"}, "by"),
    ],
)
def test_a_malformed_kyc_status_is_422_and_changes_nothing(
    api: ApiClient, body: dict[str, Any], field: str
) -> None:
    response = api.post(f"/players/{NEW_PLAYER}/kyc", body, scopes=KYC_SCOPES)

    assert (response.status, response.error["field"]) == (422, field)
    assert api.get("/players/me/protection", player=NEW_PLAYER).json["kyc_status"] == "unverified"


def test_a_lower_limit_applies_at_once_and_a_higher_one_waits(
    api: ApiClient, clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    limit = {"kind": "deposit", "period": "day", "amount": 5_000, "currency": "EUR"}

    applied = api.post("/players/me/limits", limit, headers={"x-correlation-id": "limits-1"})
    raised = api.post("/players/me/limits", {**limit, "amount": 9_000})

    assert applied.status == 200
    assert applied.json == {
        "kind": "deposit",
        "period": "day",
        "amount": 5_000,
        "previous_amount": None,
        "currency": "EUR",
        "status": "applied",
        "effective_at": clock.now().isoformat(),
    }
    assert raised.status == 202
    assert (raised.json["status"], raised.json["previous_amount"]) == ("pending", 5_000)
    assert raised.json["effective_at"] == (clock.now() + timedelta(hours=24)).isoformat()
    protection = api.get("/players/me/protection").json
    assert protection["limits"] == [
        {"kind": "deposit", "period": "day", "amount": 5_000, "currency": "EUR", "used": 0}
    ]
    assert protection["pending"] == [
        {
            "kind": "deposit",
            "period": "day",
            "amount": 9_000,
            "currency": "EUR",
            "effective_at": raised.json["effective_at"],
            "needs_confirmation": True,
        }
    ]
    assert names(publisher) == ["LimitChanged", "LimitChanged"]
    assert publisher.events[0].correlation_id == "limits-1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "day", "amount": 100, "currency": "EUR"}, "kind"),
        ({"kind": "spend", "period": "day", "amount": 100, "currency": "EUR"}, "kind"),
        ({"kind": "loss", "period": "year", "amount": 100, "currency": "EUR"}, "period"),
        ({"kind": "loss", "period": "day", "amount": "100", "currency": "EUR"}, "amount"),
        ({"kind": "loss", "period": "day", "amount": 0, "currency": "EUR"}, "amount"),
        ({"kind": "loss", "period": "day", "amount": 100, "currency": "eur"}, "currency"),
        ({"kind": "loss", "period": "day", "amount": None, "currency": 1}, "currency"),
        ({"kind": "loss", "period": "day", "amount": 100, "currency": "EUR", "note": "x"}, "note"),
    ],
)
def test_a_malformed_limit_is_422_naming_the_field_and_changes_nothing(
    api: ApiClient, publisher: InMemoryEventPublisher, body: dict[str, Any], field: str
) -> None:
    response = api.post("/players/me/limits", body)

    assert (response.status, response.error["field"]) == (422, field)
    assert api.get("/players/me/protection").json["limits"] == []
    assert publisher.events == []


def test_malformed_json_is_400(api: ApiClient) -> None:
    response = api.post("/players/me/limits", raw_body="{not json")

    assert (response.status, response.error["code"]) == (400, "malformed_json")


def test_a_bet_over_the_limit_is_422_and_announced(
    funded: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    limit = {"kind": "wager", "period": "day", "amount": 1_000, "currency": "EUR"}
    assert funded.post("/players/me/limits", limit).status == 200
    assert bet(funded, "bet-1", 800).status == 201
    publisher.events.clear()

    refused = bet(funded, "bet-2", 201, headers={"x-correlation-id": "round-2"})

    assert (refused.status, refused.error["code"], refused.error["field"]) == (
        422,
        "limit_exceeded",
        "amount",
    )
    assert funded.get("/wallet").json["cash"] == 10_000 - 800
    assert names(publisher) == ["LimitReached"]
    assert publisher.events[0].correlation_id == "round-2"
    assert funded.get("/players/me/protection").json["limits"][0]["used"] == 800


def test_self_exclusion_refuses_bets_and_deposits_and_still_pays_wins(
    funded: ApiClient, publisher: InMemoryEventPublisher
) -> None:
    assert bet(funded, "bet-1", 500).status == 201
    months = LIMITS_POLICY.self_exclusion_min_months

    excluded = funded.post("/players/me/self-exclusion", {"months": months})

    assert excluded.status == 200
    assert excluded.json["self_excluded_until"] is not None
    assert excluded.json["may_play"] is False
    refused = bet(funded, "bet-2", 100)
    assert (refused.status, refused.error["code"]) == (403, "self_excluded")
    deposit = {"transaction_id": "dep-1", "amount": 100, "currency": "EUR"}
    assert funded.post("/wallet/deposits", deposit).error["code"] == "self_excluded"
    win = {
        "transaction_id": "win-1",
        "bet_transaction_id": "bet-1",
        "round_id": "round-1",
        "amount": 1_500,
        "currency": "EUR",
    }
    assert funded.post("/wallet/wins", win).status == 201
    assert funded.get("/wallet").json["cash"] == 10_000 - 500 + 1_500
    assert "SelfExclusionStarted" in names(publisher)


@pytest.mark.parametrize(
    "body", [{}, {"months": LIMITS_POLICY.self_exclusion_min_months - 1}, {"months": "6"}, {"months": 6.5}]
)
def test_a_self_exclusion_shorter_than_the_minimum_is_422(api: ApiClient, body: dict[str, Any]) -> None:
    response = api.post("/players/me/self-exclusion", body)

    assert (response.status, response.error["field"]) == (422, "months")
    assert api.get("/players/me/protection").json["self_excluded_until"] is None


def test_cool_off_refuses_bets_until_it_ends(funded: ApiClient, clock: FixedClock) -> None:
    hours = LIMITS_POLICY.cool_off_hours

    response = funded.post("/players/me/cool-off", {"hours": hours})

    assert response.status == 200
    assert response.json["cooling_off_until"] == (clock.now() + timedelta(hours=hours)).isoformat()
    assert bet(funded, "bet-1", 100).error["code"] == "cooling_off"
    clock.advance(timedelta(hours=hours))
    assert bet(funded, "bet-1", 100).status == 201


@pytest.mark.parametrize("body", [{}, {"hours": LIMITS_POLICY.cool_off_hours - 1}, {"hours": True}])
def test_a_cool_off_shorter_than_the_minimum_is_422(api: ApiClient, body: dict[str, Any]) -> None:
    response = api.post("/players/me/cool-off", body)

    assert (response.status, response.error["field"]) == (422, "hours")
    assert api.get("/players/me/protection").json["cooling_off_until"] is None


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param(
            "/players/me/self-exclusion",
            {"months": LIMITS_POLICY.self_exclusion_min_months},
            id="self-excluded",
        ),
        pytest.param("/players/me/cool-off", {"hours": LIMITS_POLICY.cool_off_hours}, id="cooling-off"),
        pytest.param(f"/players/{PLAYER}/kyc", {"status": "rejected"}, id="unverified"),
    ],
)
def test_a_blocked_player_can_still_withdraw(
    funded: ApiClient, publisher: InMemoryEventPublisher, path: str, body: dict[str, Any]
) -> None:
    scopes = KYC_SCOPES if path.endswith("/kyc") else None
    assert funded.post(path, body, scopes=scopes).status == 200
    assert bet(funded, "bet-1", 100).status == 403

    response = funded.post(
        "/wallet/withdrawals", {"transaction_id": "wd-1", "amount": 10_000, "currency": "EUR"}
    )

    assert response.status == 201
    assert response.json["balance"]["cash"] == 0
    assert names(publisher)[-1] == "FundsWithdrawn"


def test_a_raise_applies_only_once_confirmed_after_its_cooling_period(
    api: ApiClient, clock: FixedClock, publisher: InMemoryEventPublisher
) -> None:
    limit = {"kind": "deposit", "period": "day", "amount": 5_000, "currency": "EUR"}
    api.post("/players/me/limits", limit)
    api.post("/players/me/limits", {**limit, "amount": 9_000})
    confirmation = {"kind": "deposit", "period": "day"}

    early = api.post("/players/me/limits/confirmations", confirmation)
    clock.advance(timedelta(hours=48))
    unconfirmed = api.get("/players/me/protection").json
    confirmed = api.post(
        "/players/me/limits/confirmations", confirmation, headers={"x-correlation-id": "ok-1"}
    )
    again = api.post("/players/me/limits/confirmations", confirmation)

    assert (early.status, early.error["code"], early.error["field"]) == (409, "limit_raise_cooling", "period")
    assert [entry["amount"] for entry in unconfirmed["limits"]] == [5_000]
    assert confirmed.status == 200
    assert (confirmed.json["status"], confirmed.json["amount"], confirmed.json["previous_amount"]) == (
        "applied",
        9_000,
        5_000,
    )
    assert (again.status, again.error["code"]) == (404, "not_found")
    protection = api.get("/players/me/protection").json
    assert ([entry["amount"] for entry in protection["limits"]], protection["pending"]) == ([9_000], [])
    assert names(publisher)[-1] == "LimitRaiseConfirmed"
    assert publisher.events[-1].correlation_id == "ok-1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "day"}, "kind"),
        ({"kind": "deposit", "period": "year"}, "period"),
        ({"kind": "deposit", "period": "day", "amount": 1}, "amount"),
    ],
)
def test_a_malformed_confirmation_is_422_naming_the_field(
    api: ApiClient, body: dict[str, Any], field: str
) -> None:
    response = api.post("/players/me/limits/confirmations", body)

    assert (response.status, response.error["field"]) == (422, field)
