"""Player protection routes: the player's limits, self-exclusion and cool-off; the KYC provider's status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint

from . import schemas
from .context import ModuleApi, current_correlation_id, current_player_id, module_service
from .server_calls import KYC_PROVIDER, require_same_player, server_call

if TYPE_CHECKING:
    from ..domain.responsible_gaming import LimitChange, PlayerProtection, ProtectionService, ProtectionView
    from ..domain.sessions import Session

# The module's domain and request schemas load on the first request to its routes, not at the API's
# cold start (docs/benchmarks.md); snapstart.py loads them before a snapshot.

protection_api = Blueprint("responsible_gaming", __name__, url_prefix="/players")

# Scope of the KYC provider's token (identity and age checks); only its client gets it.
KYC_SCOPE = "players:kyc"

Reply = tuple[dict[str, Any], int]


@protection_api.get("/me/protection")
def get_protection() -> dict[str, Any]:
    return _view_json(_protection().protection(current_player_id()))


@protection_api.post("/me/limits")
def set_limit() -> Reply:
    from . import schemas_responsible_gaming

    player_id = current_player_id()
    body = schemas_responsible_gaming.limit_request(schemas.json_body())
    change = _protection().set_limit(
        player_id, body.kind, body.period, body.amount, body.currency, correlation_id=current_correlation_id()
    )
    # 202: the change is accepted but waits out its cooling period; 200: it is in force now.
    return _change_json(change), 202 if change.pending else 200


@protection_api.post("/me/limits/confirmations")
def confirm_limit() -> dict[str, Any]:
    from . import schemas_responsible_gaming

    player_id = current_player_id()
    body = schemas_responsible_gaming.limit_confirmation_request(schemas.json_body())
    change = _protection().confirm_limit(
        player_id, body.kind, body.period, correlation_id=current_correlation_id()
    )
    return _change_json(change)


@protection_api.post("/me/self-exclusion")
def self_exclude() -> dict[str, Any]:
    from . import schemas_responsible_gaming

    player_id = current_player_id()
    months = schemas_responsible_gaming.self_exclusion_request(schemas.json_body())
    _protection().self_exclude(player_id, months, correlation_id=current_correlation_id())
    return _view_json(_protection().protection(player_id))


@protection_api.post("/me/cool-off")
def cool_off() -> dict[str, Any]:
    from . import schemas_responsible_gaming

    player_id = current_player_id()
    hours = schemas_responsible_gaming.cool_off_request(schemas.json_body())
    _protection().cool_off(player_id, hours, correlation_id=current_correlation_id())
    return _view_json(_protection().protection(player_id))


@protection_api.post("/<player_id>/kyc")
def set_kyc_status(player_id: str) -> dict[str, Any]:
    from . import schemas_responsible_gaming

    # The KYC provider's signed call: its token and signature first (401/403), then the body.
    body = schemas_responsible_gaming.kyc_request(server_call(KYC_PROVIDER))
    require_same_player(body.player_id, schemas_responsible_gaming.player_path_id(player_id))
    protection = _protection().set_kyc_status(
        body.player_id, body.status, correlation_id=current_correlation_id()
    )
    return {"player_id": protection.player_id, "kyc_status": protection.kyc.value}


def _protection() -> ProtectionService:
    return cast("ProtectionService", module_service("responsible_gaming"))


def _view_json(view: ProtectionView) -> dict[str, Any]:
    from ..domain.responsible_gaming import KycStatus, awaits_confirmation, cooling_period_end

    protection: PlayerProtection = view.protection
    blocked_until = protection.blocked_until
    may_play = protection.kyc is KycStatus.VERIFIED and (blocked_until is None or blocked_until <= view.now)
    return {
        "player_id": protection.player_id,
        "kyc_status": protection.kyc.value,
        "may_play": may_play,
        "self_excluded_until": _time(protection.self_excluded_until, view),
        "cooling_off_until": _time(protection.cooling_off_until, view),
        "limits": [
            {
                "kind": limit.kind.value,
                "period": limit.period.value,
                "amount": limit.amount,
                "currency": limit.currency,
                "used": view.used.get((limit.kind, limit.period), 0),
            }
            for limit in protection.limits
        ],
        "pending": [
            {
                "kind": change.kind.value,
                "period": change.period.value,
                "amount": change.amount,
                "currency": change.currency,
                "effective_at": cooling_period_end(change).isoformat(),
                "needs_confirmation": awaits_confirmation(change),
            }
            for change in protection.pending
        ],
    }


def _change_json(change: LimitChange) -> dict[str, Any]:
    return {
        "kind": change.kind.value,
        "period": change.period.value,
        "amount": change.amount,
        "previous_amount": change.previous_amount,
        "currency": change.currency,
        "status": "pending" if change.pending else "applied",
        "effective_at": change.effective_at.isoformat(),
    }


def _time(moment: Any, view: ProtectionView) -> str | None:
    """An exclusion's end while it lasts; None once it is over."""
    return moment.isoformat() if moment is not None and moment > view.now else None


def _session_fields(session: Session) -> dict[str, Any]:
    """What player protection adds to a session's JSON (api/sessions.py): its reality check."""
    return {"reality_check": _reality_check_json(session)}


def _reality_check_json(session: Session) -> dict[str, Any] | None:
    """When the next reality check is due and how many are due so far (None: the session has none)."""
    next_due_at = session.next_reality_check_at
    if session.reality_check_minutes is None or next_due_at is None:
        return None
    return {
        "interval_minutes": session.reality_check_minutes,
        "checks_due": session.reality_checks_due,
        "next_due_at": next_due_at.isoformat(),
    }


API = ModuleApi(protection_api, extends={"session": _session_fields})
