"""The one signing scheme of server-to-server calls, Stripe-style, in both directions.

    x-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<METHOD>.<path>." + raw body>

The API checks it on the calls servers make to it (api/server_calls.py); the operator's wallet adapter
signs its own calls to the operator's platform with it (adapters/operator_platform.py). Pure: no
framework, so a worker that only signs does not load the web app's code.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "x-signature"
SIGNATURE_VERSION = "v1"


def signed_payload(timestamp: int, method: str, path: str, body: bytes) -> bytes:
    """What a server caller signs: the time, the method, the path and the raw body."""
    return f"{timestamp}.{method.upper()}.{path}.".encode() + body


def signature(key: str, timestamp: int, method: str, path: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of one request's signed payload under `key`."""
    return hmac.new(key.encode(), signed_payload(timestamp, method, path, body), hashlib.sha256).hexdigest()


def sign(key: str, timestamp: int, method: str, path: str, body: bytes) -> str:
    """The signature header's value for one request (what a caller's client library computes)."""
    return f"t={timestamp},{SIGNATURE_VERSION}={signature(key, timestamp, method, path, body)}"
