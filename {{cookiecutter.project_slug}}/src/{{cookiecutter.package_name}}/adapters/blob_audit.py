"""The audit archive on Azure Blob Storage: one write-once blob per appended batch of records.

The container has a locked time-based immutability policy for the jurisdiction's retention (the
Terraform in infra/): a blob written here can be neither changed nor deleted, by anyone, until the
retention has passed. Blob names carry the batch's last sequence and hash (chain/<first>-<last>-<last
hash>.jsonl, as the S3 archive's keys), so listing the container gives every anchor of the chain
without reading a blob. Each batch is ONE request (a Put Blob "if none exists", its MD5 checked by the
service); anchors are one listing request per 5,000 blobs.

The client: pass a `ContainerClient` (`container_client()` builds one: Azurite's connection string in
tests, else the account's blob endpoint with the function app's managed identity; no shared key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

from azure.core.exceptions import ResourceExistsError
from azure.storage.blob import ContainerClient, ContentSettings

from ..domain.audit import Anchor, AuditRecord

PREFIX = "chain/"
_NAME_RE = re.compile(r"chain/(\d{20})-(\d{20})-([0-9a-f]{64})\.jsonl")


def container_client(
    container: str, *, endpoint: str | None = None, connection_string: str | None = None
) -> ContainerClient:
    """A container's client (the archive, the exports): Azurite's connection string, else the identity.

    `endpoint`: the account's blob endpoint (https://<account>.blob.core.windows.net).
    """
    if connection_string is not None:
        return ContainerClient.from_connection_string(connection_string, container_name=container)
    if endpoint is None:
        raise ValueError(
            f"the container {container!r} needs its blob endpoint, or on Azurite a connection string"
        )
    from azure.identity import DefaultAzureCredential

    return ContainerClient(
        account_url=endpoint, container_name=container, credential=DefaultAzureCredential()
    )


class BlobAuditArchive:
    """Audit records as JSON Lines blobs: chain/<first>-<last>-<last hash>.jsonl, never overwritten."""

    def __init__(self, container: ContainerClient) -> None:
        self.container = container

    def store(self, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        first, last = records[0], records[-1]
        body = "".join(json.dumps(record.to_json(), sort_keys=True) + "\n" for record in records)
        try:
            self.container.upload_blob(
                f"{PREFIX}{first.sequence:020d}-{last.sequence:020d}-{last.hash}.jsonl",
                body.encode(),
                overwrite=False,
                validate_content=True,
                content_settings=ContentSettings(content_type="application/x-ndjson"),
            )
        except ResourceExistsError:
            # Archived already (a retried batch): the name carries the last hash, which seals the
            # records before it, so the blob there holds these very records.
            return

    def anchors(self) -> Iterator[Anchor]:
        for blob in self.container.list_blobs(name_starts_with=PREFIX):
            match = _NAME_RE.fullmatch(blob.name)
            if match:
                yield Anchor(int(match.group(2)), match.group(3))

    def records(self, name: str) -> list[AuditRecord]:
        """The records of one archived blob (for an investigation, or a rebuild of the chain)."""
        body = self.container.download_blob(name).readall().decode()
        return [AuditRecord.from_json(json.loads(line)) for line in body.splitlines() if line]
