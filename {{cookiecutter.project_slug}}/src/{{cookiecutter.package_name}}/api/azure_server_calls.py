"""Server callers on Azure: their signing keys are Key Vault secrets, read with the app's identity on use."""

from __future__ import annotations

from collections.abc import Mapping

from ..settings_api import ServerCallerSettings
from .context import ServerCaller
from .server_calls import RotatingKeys, caller_of


def caller_with_vault_keys(scope: str, name: str, environ: Mapping[str, str]) -> ServerCaller:
    """A server caller whose signing keys are Key Vault secrets, read with the app's identity on use.

    Client ids from <NAME>_CLIENT_IDS; the secrets are `<name>-key` and `<name>-previous-key` (with
    hyphens: infra/modules/wallet's `signing_keys`), or the names in <NAME>_KEY_PARAMETER and
    <NAME>_PREVIOUS_KEY_PARAMETER. Without KEY_VAULT_URI no key is configured: the caller's routes
    refuse every request (503), never unsigned.
    """
    from ..adapters.azure_environment import SecretMissing, VaultSecret

    settings = ServerCallerSettings.from_env(environ, name.upper())
    vault = environ.get("KEY_VAULT_URI", "").strip()
    if not vault:
        return caller_of(scope, settings.client_ids, None)
    secret = name.replace("_", "-")
    current = VaultSecret(vault, settings.key_parameter or f"{secret}-key")
    previous = VaultSecret(vault, settings.previous_key_parameter or f"{secret}-previous-key")
    return caller_of(
        scope, settings.client_ids, RotatingKeys(current.value, previous.value, missing=(SecretMissing,))
    )
