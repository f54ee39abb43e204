"""Player protection's server caller in the API tests: the KYC provider."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.api.server_calls import KYC_PROVIDER

# Caller name -> (OAuth client, scope, signing key) (api/server_calls.py).
SERVERS = {KYC_PROVIDER: ("kyc-provider-client", "players:kyc", "whsec-kyc-test")}
