"""The wallet's server callers in the API tests, and the API's signing scheme they sign with."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.api.server_calls import (
    GAME_SERVER,
    MAX_HEADER_LENGTH,
    PAYMENT_PROVIDER,
    SIGNATURE_HEADER,
    sign,
)

__all__ = ["MAX_HEADER_LENGTH", "SERVERS", "SIGNATURE_HEADER", "sign"]

# Caller name -> (OAuth client, scope, signing key) (api/server_calls.py).
SERVERS = {
    PAYMENT_PROVIDER: ("payment-provider-client", "wallet:credit", "whsec-payments-test"),
    GAME_SERVER: ("game-server-client", "wallet:credit", "whsec-games-test"),
}
