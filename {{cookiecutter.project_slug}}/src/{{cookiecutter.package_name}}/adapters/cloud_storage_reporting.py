"""The reporting module's reports in the reports bucket (Cloud Storage, infra/modules/reporting).

Each file of a report is one object under its key (reports/ggr/date=<day>/...). An object already
holding the same bytes (its MD5, read first) is left alone, so a re-run writes nothing and the object
stays the one first written; a changed report (a late event counted) replaces it, conditioned on the
generation read, and the bucket's versioning keeps the replaced one. Over the JSON API
(adapters/cloud_storage.py).
"""

from __future__ import annotations

from ..domain.reporting import DailyGgrReport
from .cloud_storage import ABSENT, CloudStorageBucket, StorageRequestFailed, md5_of


class CloudStorageReportWriter:
    """Writes each report file to gs://<bucket>/<key>, unless the same bytes are already there."""

    def __init__(self, bucket: CloudStorageBucket) -> None:
        self.bucket = bucket

    def write(self, report: DailyGgrReport) -> tuple[str, ...]:
        for file in report.files():
            found = self.bucket.stat(file.key)
            if found is not None and found[1] == md5_of(file.body):
                continue
            generation = ABSENT if found is None else found[0]
            if not self.bucket.upload(file.key, file.body, file.content_type, if_generation_match=generation):
                raise StorageRequestFailed(
                    f"gs://{self.bucket.bucket}/{file.key} changed while the report was written; run it again"
                )
        return tuple(f"gs://{self.bucket.bucket}/{file.key}" for file in report.files())
