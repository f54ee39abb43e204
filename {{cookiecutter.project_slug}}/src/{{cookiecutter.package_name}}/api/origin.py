"""The edge's front door: a request that went around it is refused before any route runs.

With the edge on (docs/networking.md), the CDN in front of the API adds a secret header to every
request it forwards. The API's own address stays reachable on the internet, so a request without that
header, or with a wrong value, did not pass the edge's firewall, rate limits or geo restriction: it
is refused (403). The header's name comes from the settings and its accepted values from the cloud's
secret store (the current one, and the previous one while a rotation is under way).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FrontDoor:
    """The header the edge adds, and the values it may carry (read and cached by the secret store)."""

    header: str
    secrets: Callable[[], Sequence[str]]

    def admits(self, value: str | None) -> bool:
        """Whether `value` is one of the secret's values, compared in constant time."""
        if not value:
            return False
        given = value.encode()
        admitted = False
        # Every value is compared (no early return): the time taken does not say which one matched.
        for secret in self.secrets():
            admitted |= hmac.compare_digest(given, secret.encode())
        return admitted
