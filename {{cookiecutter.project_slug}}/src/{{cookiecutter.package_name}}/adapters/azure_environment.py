"""What the function apps build their clients from: the app settings infra/ gives every app.

The casino's storage account is the `CasinoStorage` connection of the Functions host: in Azure its
identity-based form (`CasinoStorage__tableServiceUri`, `__queueServiceUri`, `__blobServiceUri`, with
the app's user-assigned identity: blocks/function_app), locally a connection string in `CasinoStorage`
itself (Azurite's; the queue triggers read the same setting). The Event Grid topic is
EVENT_TOPIC_ENDPOINT, Key Vault KEY_VAULT_URI. A missing setting is refused by name.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..settings import PACKAGE, Settings, SettingsError, required_variable

if TYPE_CHECKING:
    from azure.data.tables import TableClient
    from azure.storage.queue import QueueClient

    from ..ports import EventPublisher

# The Functions host's name for the casino's storage connection (the queue triggers' `connection`).
STORAGE_CONNECTION = "CasinoStorage"
# Key Vault's data-plane API version and the token audience of its Entra ID auth.
KEY_VAULT_API_VERSION = "7.4"
KEY_VAULT_SCOPE = "https://vault.azure.net/.default"
# What infra/ writes once into each secret it makes (write-only: never in the state); the operator sets
# the real value outside Terraform. Anyone who read infra/ knows it, so a secret holding it is unset.
TERRAFORM_PLACEHOLDER = "set-outside-terraform"


class SecretMissing(LookupError):
    """Key Vault has no (enabled) secret of that name."""


def core_settings(environ: Mapping[str, str]) -> Settings:
    """The core settings on Azure: the topic's endpoint stands where AWS has the bus's name."""
    topic = required_variable(environ, "EVENT_TOPIC_ENDPOINT")
    return Settings.from_env(
        {**environ, "EVENT_BUS_NAME": topic, "EVENT_SOURCE": environ.get("EVENT_SOURCE") or PACKAGE}
    )


def connection(environ: Mapping[str, str], service: str) -> dict[str, str]:
    """How a client of the casino's storage `service` ("tableServiceUri", "queueServiceUri",
    "blobServiceUri") connects: Azurite's connection string locally, else the account's endpoint (the
    app's identity), as keyword arguments of table_client, queue_client and container_client."""
    local = environ.get(STORAGE_CONNECTION, "").strip()
    if local:
        return {"connection_string": local}
    name = f"{STORAGE_CONNECTION}__{service}"
    if not environ.get(name, "").strip():
        raise SettingsError(
            f"app setting {name} is not set (blocks/function_app sets it); locally set {STORAGE_CONNECTION} "
            "to Azurite's connection string"
        )
    return {"endpoint": environ[name].strip()}


def table(environ: Mapping[str, str], name: str) -> TableClient:
    """The table `name` of the casino's storage account."""
    from .azure_tables import table_client

    return table_client(name, **connection(environ, "tableServiceUri"))


def queue(environ: Mapping[str, str], name: str) -> QueueClient:
    """The queue `name` of the casino's storage account."""
    from .storage_queues import queue_client

    return queue_client(name, **connection(environ, "queueServiceUri"))


def topic_publisher(environ: Mapping[str, str]) -> EventPublisher:
    """The Event Grid topic of EVENT_TOPIC_ENDPOINT, published to with the app's managed identity."""
    from azure.identity import DefaultAzureCredential

    from .event_grid import EventGridPublisher

    return EventGridPublisher(required_variable(environ, "EVENT_TOPIC_ENDPOINT"), DefaultAzureCredential())


class VaultSecret:
    """One Key Vault secret's current value, read with the app's identity and cached for `ttl_seconds`.

    Key Vault's REST API through azure-core (already there for the tables), not another SDK: one GET.
    """

    def __init__(
        self,
        vault_uri: str,
        name: str,
        *,
        ttl_seconds: float = 300.0,
        send: Callable[[str], tuple[int, bytes]] | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        import time

        self.url = f"{vault_uri.rstrip('/')}/secrets/{name}?api-version={KEY_VAULT_API_VERSION}"
        self.name = name
        self._ttl = ttl_seconds
        self._send = send or _vault_get
        self._monotonic = monotonic or time.monotonic
        self._cached: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def value(self) -> str:
        with self._lock:
            now = self._monotonic()
            if self._cached is not None and now - self._cached[1] < self._ttl:
                return self._cached[0]
            status, body = self._send(self.url)
            if status == 404:
                raise SecretMissing(f"Key Vault has no secret {self.name!r}")
            if status != 200:
                raise RuntimeError(f"Key Vault answered {status} for the secret {self.name!r}")
            value = json.loads(body).get("value")
            if not isinstance(value, str) or not value:
                raise SecretMissing(f"Key Vault's secret {self.name!r} is empty")
            if value == TERRAFORM_PLACEHOLDER:
                raise SecretMissing(
                    f"Key Vault's secret {self.name!r} still holds infra/'s placeholder; set its value "
                    f"with `az keyvault secret set --vault-name <vault> --name {self.name} --file <file>`"
                )
            self._cached = (value, now)
            return value


_vault_client: Any = None


def _vault_get(url: str) -> tuple[int, bytes]:
    global _vault_client  # one pipeline (and token cache) per process
    from azure.core import PipelineClient
    from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy
    from azure.core.rest import HttpRequest

    if _vault_client is None:
        from azure.identity import DefaultAzureCredential

        _vault_client = PipelineClient(
            base_url=url,
            policies=[
                RetryPolicy(retry_total=2),
                BearerTokenCredentialPolicy(DefaultAzureCredential(), KEY_VAULT_SCOPE),
            ],
        )
    response = _vault_client.send_request(HttpRequest("GET", url))
    return response.status_code, response.read()
