"""Promotions over HTTP: the running promotions and the player's own grants and wagering."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import serverless_wsgi
from tests.api.http_api import OTHER_PLAYER, PLAYER, ApiClient, ApiResponse, http_event

from {{ cookiecutter.package_name }}.adapters.memory import FixedClock, InMemoryEventPublisher
from {{ cookiecutter.package_name }}.adapters.memory_promotions import InMemoryPromotionStore
from {{ cookiecutter.package_name }}.adapters.memory_wallet import InMemoryLedgerStore
from {{ cookiecutter.package_name }}.api.app import Services, create_app
from {{ cookiecutter.package_name }}.domain.promotions import (
    BonusGrant,
    Promotion,
    PromotionBoard,
    Trigger,
)
from {{ cookiecutter.package_name }}.domain.wallet import Wallet

WALLET_SOURCE = "{{ cookiecutter.package_name }}.wallet"
LAUNCH = datetime(2029, 1, 1, tzinfo=UTC)
WELCOME = Promotion("welcome", "Welcome", Trigger.FIRST_DEPOSIT, "EUR", 10_000, 30, LAUNCH, match_percent=100)
TWO_BETS = Promotion(
    "two-bets",
    "Two bets a day",
    Trigger.BETS_IN_A_DAY,
    "EUR",
    300,
    5,
    LAUNCH,
    ends_at=datetime(2031, 1, 1, tzinfo=UTC),
    bets_required=2,
    min_stake=100,
)
# Starts after the test clock's "now" (2030-01-01 12:00 UTC): not listed yet.
UPCOMING = Promotion(
    "upcoming", "Soon", Trigger.FIRST_DEPOSIT, "EUR", 100, 1, datetime(2031, 1, 1, tzinfo=UTC)
)


def grant(player_id: str, promotion_id: str, granted_at: datetime, **changes: Any) -> BonusGrant:
    fields: dict[str, Any] = {
        "player_id": player_id,
        "promotion_id": promotion_id,
        "transaction_id": f"promo:{promotion_id}:{player_id}",
        "amount": 1_000,
        "currency": "EUR",
        "wagering_required": 30_000,
        "wagered": 0,
        "granted_at": granted_at,
        **changes,
    }
    return BonusGrant(**fields)


@pytest.fixture
def store() -> InMemoryPromotionStore:
    return InMemoryPromotionStore()


@pytest.fixture
def api(store: InMemoryPromotionStore, clock: FixedClock, publisher: InMemoryEventPublisher) -> ApiClient:
    return ApiClient(
        create_app(
            Services(
                events=publisher,
                modules={
                    "wallet": Wallet(InMemoryLedgerStore(relay=publisher), clock, WALLET_SOURCE),
                    "promotions": PromotionBoard([WELCOME, TWO_BETS, UPCOMING], store, clock),
                },
            )
        )
    )


def get_with_query(api: ApiClient, path: str, query: str, *, player: str | None = PLAYER) -> ApiResponse:
    """GET with a raw query string, as the HTTP API hands it over (the test client sends none)."""
    event = http_event("GET", path, player=player)
    event["rawQueryString"] = query
    result = serverless_wsgi.handle_request(api.app, event, api.context)
    return ApiResponse(result["statusCode"], result.get("headers", {}), json.loads(result["body"]))


def test_running_promotions_are_listed_in_rules_order(api: ApiClient) -> None:
    response = api.get("/promotions")

    assert response.status == 200
    assert response.json == {
        "promotions": [
            {
                "promotion_id": "welcome",
                "title": "Welcome",
                "trigger": "first_deposit",
                "currency": "EUR",
                "bonus": 10_000,
                "match_percent": 100,
                "bets_required": None,
                "min_stake": None,
                "wagering_multiplier": 30,
                "starts_at": "2029-01-01T00:00:00+00:00",
                "ends_at": None,
            },
            {
                "promotion_id": "two-bets",
                "title": "Two bets a day",
                "trigger": "bets_in_a_day",
                "currency": "EUR",
                "bonus": 300,
                "match_percent": None,
                "bets_required": 2,
                "min_stake": 100,
                "wagering_multiplier": 5,
                "starts_at": "2029-01-01T00:00:00+00:00",
                "ends_at": "2031-01-01T00:00:00+00:00",
            },
        ]
    }


def test_promotions_can_be_listed_by_trigger(api: ApiClient) -> None:
    response = get_with_query(api, "/promotions", "trigger=bets_in_a_day")

    assert response.status == 200
    assert [promotion["promotion_id"] for promotion in response.json["promotions"]] == ["two-bets"]


def test_a_promotion_appears_when_it_starts(api: ApiClient, clock: FixedClock) -> None:
    clock.advance(timedelta(days=366))

    ids = [promotion["promotion_id"] for promotion in api.get("/promotions").json["promotions"]]

    # two-bets ended on 2031-01-01; upcoming started then.
    assert ids == ["welcome", "upcoming"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("trigger=birthday", "trigger", id="unknown-trigger"),
        pytest.param("trigger=first_deposit&trigger=bets_in_a_day", "trigger", id="trigger-twice"),
        pytest.param("currency=EUR", "currency", id="unknown-parameter"),
    ],
)
def test_a_bad_query_is_422_naming_the_parameter(api: ApiClient, query: str, field: str) -> None:
    response = get_with_query(api, "/promotions", query)

    assert response.status == 422
    assert response.error["field"] == field


def test_my_promotions_refuse_any_query_parameter(api: ApiClient, store: InMemoryPromotionStore) -> None:
    response = get_with_query(api, "/promotions/me", "status=open")

    assert response.status == 422
    assert response.error["field"] == "status"
    assert store.grants(PLAYER) == []


@pytest.mark.parametrize("path", ["/promotions", "/promotions/me"])
def test_promotion_routes_need_a_signed_in_player(
    api: ApiClient, path: str, publisher: InMemoryEventPublisher
) -> None:
    response = api.get(path, player=None)

    assert response.status == 401
    assert response.error["code"] == "unauthorized"
    # The refusal is audited (PlayerSignInFailed), and nothing else happens.
    assert [event.name for event in publisher.events] == ["PlayerSignInFailed"]


def test_a_player_sees_their_grants_and_wagering_progress(
    api: ApiClient, store: InMemoryPromotionStore, clock: FixedClock
) -> None:
    earlier = clock.now() - timedelta(days=2)
    store.record_grant(
        grant(PLAYER, "two-bets", clock.now(), amount=300, wagering_required=1_500, wagered=600)
    )
    store.record_grant(
        grant(PLAYER, "welcome", earlier, wagered=30_000, wagering_required=30_000, completed_at=clock.now())
    )
    store.record_grant(grant(OTHER_PLAYER, "welcome", earlier))

    response = api.get("/promotions/me")

    assert response.status == 200
    assert response.json == {
        "grants": [
            {
                "promotion_id": "welcome",
                "transaction_id": "promo:welcome:player-1",
                "amount": 1_000,
                "currency": "EUR",
                "granted_at": earlier.isoformat(),
                "wagering": {
                    "required": 30_000,
                    "wagered": 30_000,
                    "remaining": 0,
                    "completed_at": clock.now().isoformat(),
                },
            },
            {
                "promotion_id": "two-bets",
                "transaction_id": "promo:two-bets:player-1",
                "amount": 300,
                "currency": "EUR",
                "granted_at": clock.now().isoformat(),
                "wagering": {"required": 1_500, "wagered": 600, "remaining": 900, "completed_at": None},
            },
        ]
    }


def test_a_player_without_grants_sees_none(api: ApiClient) -> None:
    assert api.get("/promotions/me", player=OTHER_PLAYER).json == {"grants": []}


def test_writes_to_promotion_routes_are_405(api: ApiClient) -> None:
    response = api.post("/promotions", {})

    assert response.status == 405
    assert "GET" in response.headers["allow"]
