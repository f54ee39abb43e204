"""Attacks on player protection (finding 11): marketing while excluded, unconfirmed limit raises, and
protection changes the audit trail never saw.

Through the API as Lambda calls it (HTTP API events into serverless_wsgi), on the in-memory adapters.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.api.http_api import ApiClient
from tests.support.bus import eventbridge_body, sqs_event

from {{ cookiecutter.package_name }}.adapters.memory import (
    FixedClock,
    InMemoryAuditArchive,
    InMemoryAuditLog,
    InMemoryEventPublisher,
)
from {{ cookiecutter.package_name }}.compliance import LIMITS_POLICY
from {{ cookiecutter.package_name }}.domain.audit import AuditTrail
from {{ cookiecutter.package_name }}.handlers import audit_trail
from {{ cookiecutter.package_name }}.registry import MODULES
from {{ cookiecutter.package_name }}.settings import PACKAGE

KYC_SCOPES = ("players:kyc",)
NEW_PLAYER = "player-3"  # not verified by the fixtures
EXCLUSIONS = [
    pytest.param(
        "/players/me/self-exclusion", {"months": LIMITS_POLICY.self_exclusion_min_months}, id="self-excluded"
    ),
    pytest.param("/players/me/cool-off", {"hours": LIMITS_POLICY.cool_off_hours}, id="cooling-off"),
]
# What invites play, by the module that offers it: refused to an excluded player.
MODULE_MARKETING = {
    "leaderboards": [pytest.param("/tournaments/weekly-cup/entries", {}, id="tournament-entry")],
    "notifications": [
        pytest.param("/players/me/notification-preferences", {"marketing": True}, id="marketing-opt-in")
    ],
}
MARKETING = [route for module in MODULES for route in MODULE_MARKETING.get(module, [])]


def exclude(api: ApiClient, path: str, body: dict[str, Any]) -> None:
    assert api.post(path, body).status == 200


# Defined where the project has a module that invites play (an empty parametrization would be a skip).
if MARKETING:

    @pytest.mark.parametrize(("exclusion", "exclusion_body"), EXCLUSIONS)
    @pytest.mark.parametrize(("path", "body"), MARKETING)
    def test_an_excluded_player_is_refused_what_invites_play(
        api: ApiClient,
        publisher: InMemoryEventPublisher,
        exclusion: str,
        exclusion_body: dict[str, Any],
        path: str,
        body: dict[str, Any],
    ) -> None:
        exclude(api, exclusion, exclusion_body)
        publisher.events.clear()

        response = api.post(path, body)

        assert response.status == 403
        assert response.error["code"] in {"self_excluded", "cooling_off"}
        assert publisher.events == []


@pytest.mark.parametrize(("exclusion", "exclusion_body"), EXCLUSIONS)
def test_an_excluded_player_can_still_sign_in_and_withdraw(
    api: ApiClient, exclusion: str, exclusion_body: dict[str, Any]
) -> None:
    deposit = {"transaction_id": "dep-1", "amount": 1_000, "currency": "EUR"}
    assert api.post("/wallet/deposits", deposit).status == 201
    exclude(api, exclusion, exclusion_body)

    withdrawal = api.post(
        "/wallet/withdrawals", {"transaction_id": "wd-1", "amount": 1_000, "currency": "EUR"}
    )

    assert withdrawal.status == 201
    assert api.get("/wallet").json["cash"] == 0
    if "sessions" in MODULES:
        assert api.post("/sessions").status == 201


def test_a_raised_limit_is_not_in_force_until_the_player_confirms_it(
    api: ApiClient, clock: FixedClock
) -> None:
    assert (
        api.post("/wallet/deposits", {"transaction_id": "dep-1", "amount": 10_000, "currency": "EUR"}).status
        == 201
    )
    limit = {"kind": "wager", "period": "day", "amount": 1_000, "currency": "EUR"}
    assert api.post("/players/me/limits", limit).status == 200
    assert api.post("/players/me/limits", {**limit, "amount": 5_000}).status == 202
    clock.advance(timedelta(hours=48))  # the cooling period is long over

    unconfirmed = api.post(
        "/wallet/bets", {"transaction_id": "bet-1", "amount": 2_000, "currency": "EUR", "round_id": "round-1"}
    )
    confirmed = api.post("/players/me/limits/confirmations", {"kind": "wager", "period": "day"})
    after = api.post(
        "/wallet/bets", {"transaction_id": "bet-2", "amount": 2_000, "currency": "EUR", "round_id": "round-2"}
    )

    assert (unconfirmed.status, unconfirmed.error["code"]) == (422, "limit_exceeded")
    assert confirmed.status == 200
    assert after.status == 201


def test_kyc_changes_sign_outs_and_limit_confirmations_reach_the_audit_trail(
    api: ApiClient, publisher: InMemoryEventPublisher, clock: FixedClock
) -> None:
    assert api.post(f"/players/{NEW_PLAYER}/kyc", {"status": "verified"}, scopes=KYC_SCOPES).status == 200
    limit = {"kind": "loss", "period": "week", "amount": 1_000, "currency": "EUR"}
    api.post("/players/me/limits", limit)
    api.post("/players/me/limits", {**limit, "amount": 2_000})
    clock.advance(timedelta(hours=25))
    assert api.post("/players/me/limits/confirmations", {"kind": "loss", "period": "week"}).status == 200
    if "sessions" in MODULES:
        session_id = api.post("/sessions").json["session_id"]
        assert api.delete(f"/sessions/{session_id}").status == 200
    log = InMemoryAuditLog()
    trail = AuditTrail(log, InMemoryAuditArchive(), FixedClock(datetime(2030, 1, 2, tzinfo=UTC)))

    # What the bus delivers to the audit trail's queue: every published event goes in; the worker
    # keeps the jurisdiction's critical ones.
    audit_trail.process_batch(
        sqs_event(*[eventbridge_body(event) for event in publisher.events]), trail, PACKAGE
    )

    recorded = [(record.name, record.detail.get("status")) for record in log.records()]
    assert ("KycStatusChanged", None) in recorded
    assert ("LimitRaiseConfirmed", None) in recorded
    if "sessions" in MODULES:
        assert ("SessionUpdated", "ended") in recorded
