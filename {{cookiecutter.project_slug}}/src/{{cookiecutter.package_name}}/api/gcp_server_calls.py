"""Server callers on GCP: their signing keys are Secret Manager secrets, read on first use."""

from __future__ import annotations

from collections.abc import Mapping

from ..settings_api import ServerCallerSettings
from .context import ServerCaller
from .server_calls import RotatingKeys, caller_of


def caller_with_secret_keys(scope: str, environ: Mapping[str, str], prefix: str) -> ServerCaller:
    """A server caller: its client ids (<PREFIX>_CLIENT_IDS) and its signing keys, the latest versions of
    the Secret Manager secrets named by <PREFIX>_KEY_SECRET and <PREFIX>_PREVIOUS_KEY_SECRET (infra/
    passes the names, never the keys).

    A key secret without a version refuses the caller's calls (SigningKeyMissing), never unsigned; a
    previous key without one (outside a rotation) is asked again only now and then. Without
    <PREFIX>_KEY_SECRET the caller's routes refuse every request.
    """
    from ..adapters.secret_manager import SecretUnavailable, secret_reader

    settings = ServerCallerSettings.from_env(environ, prefix)
    current = environ.get(f"{prefix}_KEY_SECRET", "").strip()
    previous = environ.get(f"{prefix}_PREVIOUS_KEY_SECRET", "").strip()
    keys = None
    if current:
        keys = RotatingKeys(
            secret_reader(current, environ),
            secret_reader(previous, environ) if previous else None,
            missing=(SecretUnavailable,),
        )
    return caller_of(scope, settings.client_ids, keys)
