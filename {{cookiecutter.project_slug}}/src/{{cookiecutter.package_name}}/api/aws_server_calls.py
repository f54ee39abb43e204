"""Server callers on AWS: their signing keys are SSM Parameter Store SecureStrings, read on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import ServerCaller
from .server_calls import RotatingKeys, caller_of

if TYPE_CHECKING:
    from ..settings_api import ServerCallerSettings


def caller_with_stored_keys(scope: str, caller: ServerCallerSettings) -> ServerCaller:
    """A server caller whose signing keys are secure parameters (SSM SecureStrings), read on first use.

    The settings name the parameters, never the keys; a key missing from the store refuses the call
    (SigningKeyMissing), and a previous key missing during a rotation is asked again only now and then.
    """
    from ..adapters.parameter_store import SecretUnavailable, SecureParameter

    keys = None
    if caller.key_parameter is not None:
        previous = caller.previous_key_parameter
        keys = RotatingKeys(
            SecureParameter(caller.key_parameter).value,
            SecureParameter(previous).value if previous is not None else None,
            missing=(SecretUnavailable,),
        )
    return caller_of(scope, caller.client_ids, keys)
