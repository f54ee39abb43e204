"""The platform-events webhook of the hybrid mode: the operator's wallet announces its money events.

POST /platform/events is a server route (api/server_calls.py): the operator's platform calls it with
its own client's token and scope, and signs each request over the time, the method, the path and the
body; a stale or replayed signature is refused. Each event is published once by its event id (a
redelivery answers 200 "duplicate"; another event under a used id, 409), as the hosted wallet's event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint

from ..observability import add_metric
from . import schemas
from .context import ModuleApi, module_service
from .server_calls import OPERATOR_PLATFORM, server_call

if TYPE_CHECKING:
    from ..domain.operator_wallet import PlatformEventIntake

# Scope the operator's platform token needs on the webhook (serverless.yml's platformJwt authorizer too).
PLATFORM_SCOPE = "platform:events"

platform_api = Blueprint("operator_wallet", __name__, url_prefix="/platform")
API = ModuleApi(platform_api)

EVENT_FIELDS = ("event_id", "type", "player_id", "transaction_id", "amount", "currency", "occurred_at")
OPTIONAL_FIELDS = ("funds", "bet_transaction_id", "session_id", "correlation_id")


@platform_api.post("/events")
def receive_platform_event() -> tuple[dict[str, Any], int]:
    from ..domain.operator_wallet import Delivery, PlatformEvent

    body = server_call(OPERATOR_PLATFORM)
    schemas.expect_fields(body, required=EVENT_FIELDS, optional=OPTIONAL_FIELDS)
    event = PlatformEvent.parse(body)
    delivery = _intake().receive(event)
    add_metric("PlatformEventsDuplicate" if delivery is Delivery.DUPLICATE else "PlatformEventsPublished")
    return {
        "event_id": event.event_id,
        "delivery": delivery.value,
    }, 200 if delivery is Delivery.DUPLICATE else 202


def _intake() -> PlatformEventIntake:
    return cast("PlatformEventIntake", module_service("operator_wallet"))
