"""Secret Manager adapter (GCP): a secret's latest version read at run time, cached, never in the state.

The function's environment holds only the secret's NAME (projects/<p>/secrets/<id>); its service account
may access that secret only (roles/secretmanager.secretAccessor on it, infra/modules). The value is
fetched on first use over Secret Manager's REST API with the function's own credentials (google-auth,
already in the runtime lock through the Firestore client: no gRPC client to load on a cold start) and
kept for `max_age_seconds`, so a rotated key is picked up without a deployment and a warm function does
not call Secret Manager on every request.

A local run (`make dev`, tools/gcp/dev.py) has no Secret Manager: no emulator serves it. It hands the
API its random keys by secret name in LOCAL_SECRET_VALUES (JSON), which `secret_reader` honours only
beside FIRESTORE_EMULATOR_HOST, the variable that points the function at the local Firestore emulator:
a deployed function has neither (infra/ sets no such variable), so it always reads Secret Manager.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

DEFAULT_MAX_AGE_SECONDS = 300.0
ENDPOINT = "https://secretmanager.googleapis.com/v1"
TIMEOUT_SECONDS = 5.0
# A secret without an enabled version (the previous key outside a rotation), or none at all.
MISSING_STATUSES = frozenset({404, 400})
# A local run's secret values by name (JSON), honoured only beside the local Firestore emulator.
LOCAL_SECRETS_VARIABLE = "LOCAL_SECRET_VALUES"
LOCAL_RUN_VARIABLE = "FIRESTORE_EMULATOR_HOST"


class SecretUnavailable(RuntimeError):
    """The secret has no enabled version (or is empty): add one as infra/README.md describes."""


def authorized_session() -> Any:
    """An HTTP session signed with the function's credentials (its service account on Cloud Run)."""
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    return AuthorizedSession(credentials)


class SecretVersion:
    """The latest version of one secret, decoded and cached."""

    def __init__(
        self,
        name: str,
        *,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
        session: Callable[[], Any] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._max_age = max_age_seconds
        self._new_session = session
        self._session: Any | None = None
        self._monotonic = monotonic
        self._value: str | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def value(self) -> str:
        """The secret's value, from the cache while it is younger than max_age_seconds."""
        with self._lock:
            now = self._monotonic()
            if self._value is None or now - self._fetched_at >= self._max_age:
                self._value = self._fetch()
                self._fetched_at = now
            return self._value

    def _fetch(self) -> str:
        if self._session is None:
            self._session = (self._new_session or authorized_session)()
        url = f"{ENDPOINT}/{self.name}/versions/latest:access"
        response = self._session.get(url, timeout=TIMEOUT_SECONDS)
        if response.status_code in MISSING_STATUSES:
            raise SecretUnavailable(f"secret {self.name} has no enabled version ({response.status_code})")
        response.raise_for_status()
        try:
            value = base64.b64decode(response.json()["payload"]["data"], validate=True).decode("utf-8")
        except (KeyError, TypeError, ValueError, binascii.Error) as error:
            raise SecretUnavailable(f"secret {self.name}: the answer carries no payload ({error})") from None
        if not value.strip():
            raise SecretUnavailable(f"secret {self.name} is empty")
        return value.strip()


def secret_reader(name: str, environ: Mapping[str, str]) -> Callable[[], str]:
    """What reads the secret `name`: Secret Manager (SecretVersion), or in a local run its given value."""
    if environ.get(LOCAL_RUN_VARIABLE) and environ.get(LOCAL_SECRETS_VARIABLE):
        values = json.loads(environ[LOCAL_SECRETS_VARIABLE])

        def local_value() -> str:
            value = values.get(name) if isinstance(values, dict) else None
            if not isinstance(value, str) or not value.strip():
                raise SecretUnavailable(f"secret {name} has no value in this local run")
            return value.strip()

        return local_value
    return SecretVersion(name).value
