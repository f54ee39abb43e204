"""The operator's platform as a server caller in the API tests, and the signing scheme it signs with."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.api.operator_wallet import PLATFORM_SCOPE
from {{ cookiecutter.package_name }}.api.server_calls import (
    MAX_HEADER_LENGTH,
    OPERATOR_PLATFORM,
    SIGNATURE_HEADER,
    sign,
)

__all__ = ["MAX_HEADER_LENGTH", "SERVERS", "SIGNATURE_HEADER", "sign"]

# Caller name -> (OAuth client, scope, signing key) (api/server_calls.py).
SERVERS = {OPERATOR_PLATFORM: ("operator-platform-client", PLATFORM_SCOPE, "whsec-operator-platform-test")}
