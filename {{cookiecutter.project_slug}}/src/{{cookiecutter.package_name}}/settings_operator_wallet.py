"""Settings of the hybrid mode: the webhook's event log, and where the operator's wallet is."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .settings import required_variable


@dataclass(frozen=True, slots=True)
class OperatorWalletSettings:
    """What the webhook and the bonus-paying workers need.

    OPERATOR_WALLET_KEY_PARAMETER is the NAME of the secret with the key this project signs its bonus
    credits with (an SSM SecureString on AWS, a Key Vault secret on Azure: azure_bonuses.py), never the
    key; blank, every credit is refused before it is sent.
    """

    platform_events_table_name: str
    operator_wallet_url: str
    operator_wallet_key_parameter: str | None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OperatorWalletSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(
            platform_events_table_name=required_variable(env, "PLATFORM_EVENTS_TABLE_NAME"),
            operator_wallet_url=required_variable(env, "OPERATOR_WALLET_URL"),
            operator_wallet_key_parameter=env.get("OPERATOR_WALLET_KEY_PARAMETER", "").strip() or None,
        )


def platform_events_table_name(environ: Mapping[str, str] | None = None) -> str:
    """The webhook's event log table: all the API's intake reads (the operator's wallet is the workers')."""
    return required_variable(os.environ if environ is None else environ, "PLATFORM_EVENTS_TABLE_NAME")
