"""Server callers on GCP: their signing keys' values from the environment (api/gcp.py's modules use it)."""

from __future__ import annotations

from collections.abc import Mapping

from ..settings_api import ServerCallerSettings
from .context import ServerCaller
from .server_calls import RotatingKeys, caller_of


def caller_with_environment_keys(scope: str, environ: Mapping[str, str], prefix: str) -> ServerCaller:
    """A server caller: its client ids (<PREFIX>_CLIENT_IDS) and its signing keys' VALUES from
    <PREFIX>_KEY and <PREFIX>_PREVIOUS_KEY, as Cloud Run passes a Secret Manager secret as a variable.

    infra/ names the secrets (<PREFIX>_KEY_SECRET) but passes no value, and this flavour has no Secret
    Manager client: without <PREFIX>_KEY the caller's routes refuse every request, never unsigned.
    """
    settings = ServerCallerSettings.from_env(environ, prefix)
    current = environ.get(f"{prefix}_KEY", "").strip()
    previous = environ.get(f"{prefix}_PREVIOUS_KEY", "").strip()
    keys = None
    if current:
        keys = RotatingKeys(lambda: current, (lambda: previous) if previous else None)
    return caller_of(scope, settings.client_ids, keys)
