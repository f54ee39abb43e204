"""The event lake on Azure Blob Storage: one block blob per event, created only if absent.

The blobs are in the reports container (infra/modules/reporting), under events/date=<YYYY-MM-DD>/,
beside the GGR reports, as AWS keeps both in its analytics bucket: the container's lifecycle rule moves
them to the cool tier after 30 days and deletes them after the jurisdiction's retention. Each upload
carries If-None-Match: * (`overwrite=False`): a second upload of the same event is refused by the
service (409 BlobAlreadyExists) whichever instance sends it, so a redelivery writes nothing.
"""

from __future__ import annotations

from azure.core.exceptions import ResourceExistsError
from azure.storage.blob import ContainerClient, ContentSettings

JSON_LINES = "application/x-ndjson"


class BlobEventLake:
    """Writes each event line to its own blob of the container, once."""

    def __init__(self, container: ContainerClient) -> None:
        self.container = container

    def create(self, key: str, line: bytes) -> bool:
        try:
            self.container.upload_blob(
                key,
                line,
                overwrite=False,
                validate_content=True,
                content_settings=ContentSettings(content_type=JSON_LINES),
            )
        except ResourceExistsError:
            return False
        return True
