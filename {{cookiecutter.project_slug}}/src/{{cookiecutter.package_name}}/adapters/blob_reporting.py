"""The reporting module's report writer on Azure Blob Storage: report files in the reports container.

The container (infra/modules/reporting, `reports`) is in the casino's storage account (customer-managed
key, no shared key, no public access); its lifecycle rule moves the files to the cool tier after 30 days
and deletes them after the jurisdiction's retention. The files are date-partitioned as on AWS
(reports/ggr/date=<YYYY-MM-DD>/ggr.json and ggr.csv). Each blob carries the SHA-256 of its bytes in its
metadata: a re-run that produces the same bytes finds it there and writes nothing, so the blob stays the
one first written (1 request per file: its properties); a changed report is one Put Blob per file, its
MD5 checked by the service.

The client: pass a `ContainerClient` (blob_audit.py's `container_client()` builds one: Azurite's
connection string in tests, else the account's blob endpoint with the function app's identity).
"""

from __future__ import annotations

import hashlib

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import ContainerClient, ContentSettings

from ..domain.reporting import DailyGgrReport, ReportFile

DIGEST_METADATA = "sha256"


class BlobReportWriter:
    """Writes each report file to the container under its key, unless the same bytes are already there."""

    def __init__(self, container: ContainerClient) -> None:
        self.container = container

    def write(self, report: DailyGgrReport) -> tuple[str, ...]:
        for file in report.files():
            digest = hashlib.sha256(file.body).hexdigest()
            if self._stored_digest(file) != digest:
                self.container.upload_blob(
                    file.key,
                    file.body,
                    overwrite=True,
                    validate_content=True,
                    metadata={DIGEST_METADATA: digest},
                    content_settings=ContentSettings(content_type=file.content_type),
                )
        return tuple(f"{self.container.url}/{file.key}" for file in report.files())

    def _stored_digest(self, file: ReportFile) -> str | None:
        try:
            properties = self.container.get_blob_client(file.key).get_blob_properties()
        except ResourceNotFoundError:
            return None
        digest: str | None = (properties.metadata or {}).get(DIGEST_METADATA)
        return digest
