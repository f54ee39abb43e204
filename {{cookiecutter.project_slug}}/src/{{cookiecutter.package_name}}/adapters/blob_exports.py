"""Blob Storage adapter of the export sink: one newline-delimited JSON blob per key, streamed in blocks.

Lines are buffered up to BLOCK_SIZE and each full buffer is staged as a block of the blob (Put Block,
its MD5 checked by the service); the blob is the committed block list (Put Block List), so it appears
or is replaced only when the whole export is staged: a run that fails midway commits nothing and leaves
the blob that was there before (the staged blocks are discarded by the service after a week). The
function holds one block in memory whatever the size of the day. The container is the `exports`
container of infra/modules/scheduled_jobs, in the casino's storage account (customer-managed key, no
shared key, no public access).

The client: pass a `ContainerClient` (blob_audit.py's `container_client()` builds one: Azurite's
connection string in tests, else the account's blob endpoint with the function app's identity).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from azure.storage.blob import BlobClient, ContainerClient, ContentSettings

# A block holds up to 4,000 MiB; 8 MiB keeps the memory small and a 10 GB export under the 50,000 blocks.
BLOCK_SIZE = 8 * 1024 * 1024
CONTENT_TYPE = "application/x-ndjson"


class BlobExportSink:
    """Writes exports to one container."""

    def __init__(self, container: ContainerClient, block_size: int = BLOCK_SIZE) -> None:
        self.container = container
        self.block_size = block_size

    def write(self, key: str, lines: Iterator[str]) -> int:
        blob = self.container.get_blob_client(key)
        # Block ids of one run: a run never commits another's blocks.
        run = uuid.uuid4().hex
        blocks: list[str] = []
        buffer = bytearray()
        size = 0
        for line in lines:
            encoded = line.encode() + b"\n"
            buffer += encoded
            size += len(encoded)
            if len(buffer) >= self.block_size:
                blocks.append(self._stage(blob, run, len(blocks), bytes(buffer)))
                buffer.clear()
        if buffer:
            blocks.append(self._stage(blob, run, len(blocks), bytes(buffer)))
        blob.commit_block_list(blocks, content_settings=ContentSettings(content_type=CONTENT_TYPE))
        return size

    @staticmethod
    def _stage(blob: BlobClient, run: str, number: int, body: bytes) -> str:
        # Every block id of a blob has the same length (the service's rule): the run, then 6 digits.
        block_id = f"{run}-{number:06d}"
        blob.stage_block(block_id, body, validate_content=True)
        return block_id
