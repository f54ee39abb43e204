"""Calling the functions as Cloud Run does: functions-framework serving a target of main.py."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from functions_framework import create_app

ROOT = Path(__file__).resolve().parents[2]
PLAYER = "player-gcp-1"
USERINFO = "X-Apigateway-Api-Userinfo"


def function_client(target: str) -> FlaskClient:
    """The target's app (an http function), as `functions-framework --target <target>` serves it."""
    return create_app(target=target, source=str(ROOT / "main.py"), signature_type="http").test_client()


def verified_token(player: str = PLAYER, scopes: tuple[str, ...] = ()) -> dict[str, str]:
    """The header API Gateway hands the api function a verified token's claims in (api/gcp.py):
    X-Apigateway-Api-Userinfo, the claims as base64url JSON (unpadded, as the gateway sends them).

    The tests stand where the gateway does: tools/gcp/gateway.py is its local stand-in, which checks the
    token first (tests/gcp/test_gateway.py).
    """
    claims: dict[str, Any] = {"sub": player, "client_id": "player-app", "token_use": "access"}
    if scopes:
        claims["scope"] = " ".join(scopes)
    return {USERINFO: userinfo(claims)}


def userinfo(claims: dict[str, Any]) -> str:
    """Claims as API Gateway encodes them in X-Apigateway-Api-Userinfo: base64url JSON, no padding."""
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")


def push(name: str, source: str, detail: dict[str, Any], message_id: str = "m-1") -> dict[str, Any]:
    """A wrapped Pub/Sub push of one event, as the workers' subscriptions send it (infra/blocks/worker)."""
    return {
        "message": {
            "data": base64.b64encode(json.dumps(detail).encode()).decode(),
            "messageId": message_id,
            "attributes": {"type": name, "source": source, "event_id": str(detail.get("event_id", ""))},
        },
        "subscription": "projects/casino-tests/subscriptions/functions-test",
        "deliveryAttempt": 1,
    }


def scheduler_call(scheduled_at: str = "2026-12-04T18:15:00Z", job: str = "functions-job") -> dict[str, str]:
    """The headers Cloud Scheduler sends with each call of a unix-cron job (infra/blocks/job)."""
    return {
        "X-CloudScheduler": "true",
        "X-CloudScheduler-JobName": f"projects/casino-tests/locations/europe-west1/jobs/{job}",
        "X-CloudScheduler-ScheduleTime": scheduled_at,
    }
