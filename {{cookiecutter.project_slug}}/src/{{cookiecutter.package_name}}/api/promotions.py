"""Promotion routes: the promotions running now, and the signed-in player's bonuses and wagering.

The promotions domain is imported on these routes' first request, not with the app: a cold start
for a wallet request does not load it (api/aws.py, aws_app).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint, request

from ..domain.errors import ValidationFailed
from .context import ModuleApi, current_player_id, module_service

if TYPE_CHECKING:
    from ..domain.promotions import BonusGrant, Promotion, PromotionBoard, Trigger

promotions_api = Blueprint("promotions", __name__, url_prefix="/promotions")

API = ModuleApi(promotions_api)


@promotions_api.get("")
def list_promotions() -> dict[str, Any]:
    current_player_id()  # signed-in players only, like every player route
    from ..domain.promotions import Trigger

    query = _query(optional=("trigger",))
    trigger: Trigger | None = None
    if "trigger" in query:
        choices = [choice.value for choice in Trigger]
        if query["trigger"] not in choices:
            raise ValidationFailed(f"trigger must be one of {', '.join(choices)}", field="trigger")
        trigger = Trigger(query["trigger"])
    return {"promotions": [_promotion_json(promotion) for promotion in _board().active_promotions(trigger)]}


@promotions_api.get("/me")
def my_promotions() -> dict[str, Any]:
    player_id = current_player_id()
    _query(optional=())
    return {"grants": [_grant_json(grant) for grant in _board().player_grants(player_id)]}


def _query(optional: tuple[str, ...]) -> dict[str, str]:
    """The query string's parameters: unknown or repeated ones are refused by name."""
    for name in sorted(request.args):
        if name not in optional:
            raise ValidationFailed(f"unknown query parameter {name!r}", field=name)
        if len(request.args.getlist(name)) > 1:
            raise ValidationFailed(f"query parameter {name!r} appears twice", field=name)
    return {name: request.args[name] for name in request.args}


def _board() -> PromotionBoard:
    return cast("PromotionBoard", module_service("promotions"))


def _promotion_json(promotion: Promotion) -> dict[str, Any]:
    from ..domain.promotions import Trigger

    bets = promotion.trigger is Trigger.BETS_IN_A_DAY
    return {
        "promotion_id": promotion.promotion_id,
        "title": promotion.title,
        "trigger": promotion.trigger.value,
        "currency": promotion.currency,
        "bonus": promotion.bonus,
        "match_percent": promotion.match_percent or None,
        "bets_required": promotion.bets_required if bets else None,
        "min_stake": promotion.min_stake if bets else None,
        "wagering_multiplier": promotion.wagering_multiplier,
        "starts_at": promotion.starts_at.isoformat(),
        "ends_at": None if promotion.ends_at is None else promotion.ends_at.isoformat(),
    }


def _grant_json(grant: BonusGrant) -> dict[str, Any]:
    return {
        "promotion_id": grant.promotion_id,
        "transaction_id": grant.transaction_id,
        "amount": grant.amount,
        "currency": grant.currency,
        "granted_at": grant.granted_at.isoformat(),
        "wagering": {
            "required": grant.wagering_required,
            "wagered": min(grant.wagered, grant.wagering_required),
            "remaining": grant.remaining,
            "completed_at": None if grant.completed_at is None else grant.completed_at.isoformat(),
        },
    }
