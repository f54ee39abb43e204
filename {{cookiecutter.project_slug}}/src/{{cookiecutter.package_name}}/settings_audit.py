"""Settings of the audit trail's functions: its table, the write-once archive's bucket, and the queue in
front of the archive."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .settings import required_variable


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """The audit trail's table (the auditTrail worker and the verification job get it)."""

    audit_table_name: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(audit_table_name=required_variable(env, "AUDIT_TABLE_NAME"))


@dataclass(frozen=True, slots=True)
class AuditArchiveSettings:
    """The write-once archive's bucket (the auditArchive worker and the verification job get it)."""

    audit_archive_bucket: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditArchiveSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(audit_archive_bucket=required_variable(env, "AUDIT_ARCHIVE_BUCKET"))


@dataclass(frozen=True, slots=True)
class AuditArchiveQueueSettings:
    """The queue in front of the archive (only the auditTrail worker gets it)."""

    audit_archive_queue_url: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditArchiveQueueSettings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(audit_archive_queue_url=required_variable(env, "AUDIT_ARCHIVE_QUEUE_URL"))
