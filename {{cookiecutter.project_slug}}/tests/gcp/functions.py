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


def function_client(target: str) -> FlaskClient:
    """The target's app (an http function), as `functions-framework --target <target>` serves it."""
    return create_app(target=target, source=str(ROOT / "main.py"), signature_type="http").test_client()


def verified_token(player: str = PLAYER, scopes: tuple[str, ...] = ()) -> dict[str, Any]:
    """The WSGI environ entry the API reads a verified token's claims from (api/context.py).

    On GCP the JWT check of the load balancer in front of the api function is not built yet
    (infra/README.md): the tests hand the claims over as that check would.
    """
    claims = {"sub": player, "client_id": "player-app", "token_use": "access"}
    return {"serverless.authorizer": {"jwt": {"claims": claims, "scopes": list(scopes) or None}}}


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
