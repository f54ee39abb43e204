"""The audit's report: a table to print, Markdown for docs/controls.md, JSON for machines.

All three are deterministic (no timestamps, no absolute paths): the same stack gives the same files,
so a change in docs/controls.md is a change in the controls.
"""

from __future__ import annotations

import json
from typing import Any

from tools import regulation
from tools.audit import config
from tools.audit.model import Audit, Control, Finding, Status
from tools.regulation import GLI_19, Citation, cited


def source(control: Control) -> Citation | str:
    """The clause this control serves in this project's jurisdiction (or the policy behind it)."""
    return cited(control.serves, control.rule)


def _text(cited: Citation | str) -> str:
    return cited.markdown() if isinstance(cited, Citation) else cited


def _serves(finding: Finding) -> list[str]:
    """The references shown for this project: its jurisdiction's clause, then GLI-19's, with links."""
    return [_text(source(finding.control)), finding.control.serves[GLI_19].markdown()]


def _cites(control: Control) -> str:
    """One line for the printed report: the jurisdiction's clause and where to read it."""
    cited = source(control)
    return f"{cited.clause} <{cited.url}>" if isinstance(cited, Citation) else cited


def _heading(audit: Audit) -> str:
    kind = (
        "Live audit of the deployed stack" if audit.mode == "live" else "Static audit of the packaged stack"
    )
    return (
        f"{kind} {config.SERVICE}-{audit.stage} "
        f"(jurisdiction {regulation.JURISDICTION}: {regulation.JURISDICTION_TITLE})"
    )


_PAST = {Status.PASS: "passed", Status.FAIL: "failed", Status.SKIP: "skipped"}


def _accepted(audit: Audit) -> int:
    return sum(len(finding.outcome.notes) for finding in audit.findings)


def _totals(audit: Audit) -> str:
    counts = ", ".join(f"{audit.count(status)} {_PAST[status]}" for status in Status)
    accepted = _accepted(audit)
    return f"{len(audit.findings)} controls: {counts}; {accepted} exceptions accepted with their reason"


def table(audit: Audit, *, verbose: bool = False) -> str:
    """The report as printed: the totals first, then one line per control.

    A failed control always shows what it cites, the resources at fault and the fix. What each passed
    or skipped control cites and the exceptions it accepted (dozens of lines on a full stack) are
    shown with `verbose` (`make audit VERBOSE=1`); docs/controls.md always has them.
    """
    width = max(len(finding.control.id) for finding in audit.findings)
    indent = f"{'':6}{'':{width}}  "
    lines = [_heading(audit), _totals(audit), ""]
    for finding in audit.findings:
        outcome = finding.outcome
        failed = outcome.status is Status.FAIL
        lines.append(f"{outcome.status.value.upper():4}  {finding.control.id:<{width}}  {outcome.summary}")
        if failed or verbose:
            lines.append(f"{indent}cites: {_cites(finding.control)}")
            lines += [f"{indent}- {offender}" for offender in outcome.offenders]
        if failed:
            lines.append(f"{indent}fix: {finding.control.remedy}")
        if verbose:
            lines += [f"{indent}accepted: {note}" for note in outcome.notes]
    if not verbose and _accepted(audit):
        lines += [
            "",
            f"{_accepted(audit)} exceptions accepted with their reason, and what each control cites: "
            "make audit VERBOSE=1 (python -m tools.audit -v), or docs/controls.md.",
        ]
    lines += ["", _totals(audit)]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(audit: Audit) -> str:
    """docs/controls.md: every control, where the project enforces it, what it serves, its status."""
    lines = [
        "# Controls",
        "",
        "Written by `make audit`: do not edit by hand (the controls live in `tools/audit/`). How to run",
        "and read the audit: [audit.md](audit.md).",
        "",
        f"{_heading(audit)}: {_totals(audit)}.",
        "",
        "| control | status | what it checks | enforced by | source (the clause it serves) | result |",
        "|---|---|---|---|---|---|",
    ]
    for finding in audit.findings:
        control, outcome = finding.control, finding.outcome
        cells = [
            f"`{control.id}`",
            f"**{outcome.status.value}**" if outcome.status is Status.FAIL else outcome.status.value,
            control.title + (f" (checkov: {', '.join(control.checkov)})" if control.checkov else ""),
            "<br>".join(f"`{place}`" for place in control.enforced_by),
            "<br>".join(_serves(finding)),
            outcome.summary,
        ]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    failed = [f for f in audit.findings if f.outcome.status is Status.FAIL]
    if failed:
        lines += ["", "## Findings"]
        for finding in failed:
            lines += ["", f"### `{finding.control.id}`", ""]
            lines += [f"- {offender}" for offender in finding.outcome.offenders]
            lines += ["", f"Fix: {finding.control.remedy}"]
    skipped = [f for f in audit.findings if f.outcome.status is Status.SKIP]
    if skipped:
        lines += ["", "## Skipped controls", ""]
        lines += [f"- `{f.control.id}`: {f.outcome.summary}" for f in skipped]
    accepted = [(f.control.id, note) for f in audit.findings for note in f.outcome.notes]
    if accepted:
        lines += ["", "## Exceptions accepted with their reason", ""]
        lines += [f"- `{control_id}`: {note}" for control_id, note in accepted]
    return "\n".join(lines) + "\n"


def _json_citation(cited: Citation | str) -> dict[str, str]:
    return {"clause": cited.clause, "url": cited.url} if isinstance(cited, Citation) else {"policy": cited}


def as_json(audit: Audit) -> str:
    """The report for machines, with every jurisdiction's references."""
    document: dict[str, Any] = {
        "service": config.SERVICE,
        "stage": audit.stage,
        "mode": audit.mode,
        "jurisdiction": regulation.JURISDICTION,
        "summary": {status.value: audit.count(status) for status in Status},
        "controls": [
            {
                "id": finding.control.id,
                "title": finding.control.title,
                "status": finding.outcome.status.value,
                "summary": finding.outcome.summary,
                "offenders": list(finding.outcome.offenders),
                "notes": list(finding.outcome.notes),
                "enforced_by": list(finding.control.enforced_by),
                "source": _json_citation(source(finding.control)),
                "serves": {
                    name: _json_citation(cited) for name, cited in sorted(finding.control.serves.items())
                },
                "remedy": finding.control.remedy,
                "checkov": list(finding.control.checkov),
            }
            for finding in audit.findings
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
