"""What a control is, and what checking one found."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tools.regulation import Citation

if TYPE_CHECKING:
    from tools.audit.live import Account
    from tools.audit.stack import Stack


class Status(enum.StrEnum):
    """A control passes, fails, or is skipped with its reason."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Outcome:
    """What one check found: a one-line summary, the resources at fault, and accepted exceptions.

    `notes` lists what the check accepted on a stated reason (a `*` resource on an allow-listed
    statement, a checkov check skipped with its comment), so the report shows every exception.
    """

    status: Status
    summary: str
    offenders: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def verdict(cls, offenders: Iterable[str], checked: str, notes: Iterable[str] = ()) -> Outcome:
        """Fail naming the offenders if there are any, else pass saying what was checked."""
        found = tuple(offenders)
        if found:
            return cls(Status.FAIL, f"{len(found)} finding(s); {checked}", found, tuple(notes))
        return cls(Status.PASS, checked, (), tuple(notes))

    @classmethod
    def skip(cls, reason: str) -> Outcome:
        return cls(Status.SKIP, reason)


# The stage that holds players' records: its audit archive is always in COMPLIANCE mode. Another stage
# may choose GOVERNANCE (params.<stage>.auditArchiveRetention in serverless.yml) to be torn down.
PRODUCTION_STAGE = "prod"


@dataclass(frozen=True)
class StaticContext:
    """What a static check reads: the packaged stack, the project folder, the scanners' folder."""

    stack: Stack
    template_path: Path
    project: Path
    scan_bin: Path | None
    stage: str = PRODUCTION_STAGE  # the strictest reading when a caller does not say


@dataclass(frozen=True)
class LiveContext:
    """What a live check reads: the packaged stack (the expected values) and the deployed account."""

    stack: Stack
    account: Account
    stage: str = PRODUCTION_STAGE


StaticCheck = Callable[[StaticContext], Outcome]
LiveCheck = Callable[[LiveContext], Outcome]


@dataclass(frozen=True)
class Control:
    """One security default: what it checks, where the project sets it, and the clauses it serves.

    `serves` is the control's source: the clause, with its link, per jurisdiction the catalogue maps
    and for GLI-19. `rule` names the manifest rule (retention, log_retention, residency) whose value
    the control checks: the report then cites that rule's source from regulation.SOURCES, the same one
    docs/compliance.md cites, for whatever jurisdiction the project was generated for.
    """

    id: str
    title: str
    enforced_by: tuple[str, ...]
    serves: dict[str, Citation]
    remedy: str
    static: StaticCheck
    live: LiveCheck | None = None
    rule: str | None = None
    # checkov's own checks of the same property (its CloudFormation check ids): the control is
    # checked twice, by the project's rule for this stack and by the maintained scanner.
    checkov: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A control together with its outcome in one audit run."""

    control: Control
    outcome: Outcome


@dataclass(frozen=True)
class Audit:
    """The result of one run: each control's finding, in catalogue order."""

    mode: str
    stage: str
    findings: list[Finding]

    def count(self, status: Status) -> int:
        return sum(1 for finding in self.findings if finding.outcome.status is status)

    @property
    def failed(self) -> bool:
        return self.count(Status.FAIL) > 0
