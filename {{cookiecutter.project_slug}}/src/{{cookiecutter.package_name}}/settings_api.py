"""Settings only the API reads: its server callers (their client ids and signing keys' names) and the
front door (the edge's secret header)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .settings import SettingsError


@dataclass(frozen=True, slots=True)
class ServerCallerSettings:
    """A server caller of the API: the OAuth client ids it may use and its signing keys' parameters.

    Read from <PREFIX>_CLIENT_IDS (comma-separated), <PREFIX>_KEY_PARAMETER and
    <PREFIX>_PREVIOUS_KEY_PARAMETER: the NAMES of SSM SecureStrings, never the keys. A blank key name
    stays None, and the API then refuses the caller's requests (api/server_calls.py): never unsigned.
    """

    client_ids: tuple[str, ...] = ()
    key_parameter: str | None = None
    # The key being retired during a rotation (the parameter may be absent outside one).
    previous_key_parameter: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], prefix: str) -> ServerCallerSettings:
        """Read one caller's settings from `env`."""
        client_ids = tuple(
            client.strip() for client in env.get(f"{prefix}_CLIENT_IDS", "").split(",") if client.strip()
        )
        return cls(
            client_ids=client_ids,
            key_parameter=env.get(f"{prefix}_KEY_PARAMETER", "").strip() or None,
            previous_key_parameter=env.get(f"{prefix}_PREVIOUS_KEY_PARAMETER", "").strip() or None,
        )


@dataclass(frozen=True, slots=True)
class FrontDoorSettings:
    """The edge's secret header (docs/networking.md): its name, and the id of the secret that holds it.

    Read from ORIGIN_VERIFY_HEADER and ORIGIN_VERIFY_SECRET_ID (the secret's id, never its value). Both
    blank: the stage has no edge and the API checks nothing; one without the other refuses to start,
    so a stage with the edge never runs with its front door open.
    """

    header: str
    secret_id: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FrontDoorSettings | None:
        """The front door's settings from `env`, or None on a stage without the edge."""
        header = env.get("ORIGIN_VERIFY_HEADER", "").strip().lower()
        secret_id = env.get("ORIGIN_VERIFY_SECRET_ID", "").strip()
        if not header and not secret_id:
            return None
        for name, value in (("ORIGIN_VERIFY_HEADER", header), ("ORIGIN_VERIFY_SECRET_ID", secret_id)):
            if not value:
                raise SettingsError(
                    f"environment variable {name} is blank while the other front door setting is set: "
                    "set both (the stage has the edge) or neither"
                )
        return cls(header=header, secret_id=secret_id)
