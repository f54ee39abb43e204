"""Azure Storage Queues: the outbox relay's dead-letter queue, and the worker queues Event Grid fills.

Messages are Base64 text, the Functions host's queue encoding (host.json: `messageEncoding`), so a
queue-triggered function reads what is sent here unchanged. The client connects with the function
app's managed identity (DefaultAzureCredential; the account refuses shared keys), or with Azurite's
connection string in tests and the local run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential


def queue_client(
    name: str, *, endpoint: str | None = None, connection_string: str | None = None
) -> QueueClient:
    """The queue `name`: Azurite's connection string in tests, else the account's queue endpoint."""
    if connection_string is not None:
        return QueueClient.from_connection_string(
            connection_string,
            name,
            message_encode_policy=TextBase64EncodePolicy(),
            message_decode_policy=TextBase64DecodePolicy(),
        )
    if endpoint is None:
        raise ValueError("the queue needs its endpoint (or, on Azurite, a connection string)")
    from azure.identity import DefaultAzureCredential

    credential: TokenCredential = DefaultAzureCredential()
    return QueueClient(
        endpoint,
        name,
        credential=credential,
        message_encode_policy=TextBase64EncodePolicy(),
        message_decode_policy=TextBase64DecodePolicy(),
    )


class QueueMessages:
    """Sends text messages to one queue (the relay's dead letters: a PoisonSink)."""

    def __init__(self, queue: QueueClient) -> None:
        self.queue = queue

    def send(self, body: str) -> None:
        self.queue.send_message(body)
