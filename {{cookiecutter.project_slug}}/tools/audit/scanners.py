"""cfn-lint and checkov on the packaged template, counted as two of the audit's controls.

They run from the scanners' own environment (SCAN_VENV, which `make audit` installs): checkov pins
an older boto3 than the functions use.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tools.audit.model import Outcome, StaticContext

# A skipped checkov check must say why, in a sentence, next to the resource it is skipped on.
MIN_SKIP_REASON = 40
# cfn-lint lists every resource name in some messages; the start says what is wrong.
MAX_FINDING = 240
TIMEOUT_SECONDS = 600


def _scanner(context: StaticContext, name: str) -> Path | Outcome:
    """The scanner's executable, or a skip saying how to install it."""
    folder = context.scan_bin or context.project / ".venv-scan" / "bin"
    executable = folder / name
    if not executable.exists():
        return Outcome.skip(f"{name} is not in the scanners' folder (make audit installs it in SCAN_VENV)")
    return executable


def _run(executable: Path, args: list[str], project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - a scanner of our own environment on our own template
        [str(executable), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def _template_argument(context: StaticContext) -> str:
    template = context.template_path
    return (
        str(template.relative_to(context.project))
        if template.is_relative_to(context.project)
        else str(template)
    )


def cfn_lint(context: StaticContext) -> Outcome:
    executable = _scanner(context, "cfn-lint")
    if isinstance(executable, Outcome):
        return executable
    result = _run(executable, ["--format", "parseable", _template_argument(context)], context.project)
    findings = []
    for line in result.stdout.splitlines():
        # path:line:column:end line:end column:rule:message
        parts = line.split(":", 6)
        finding = f"{parts[5]} line {parts[1]}: {parts[6]}" if len(parts) == 7 else line
        findings.append(finding if len(finding) <= MAX_FINDING else finding[: MAX_FINDING - 3] + "...")
    if result.returncode != 0 and not findings:
        findings.append(f"cfn-lint exited {result.returncode}: {result.stderr.strip()[-500:]}")
    return Outcome.verdict(findings, "the packaged template")


def _checkov_report(output: str) -> dict[str, Any]:
    start = min(index for index in (output.find("{"), output.find("[")) if index >= 0)
    report = json.loads(output[start:])
    if isinstance(report, list):  # one report per framework
        report = next(r for r in report if r.get("check_type") == "cloudformation")
    result: dict[str, Any] = report
    return result


def checkov(context: StaticContext) -> Outcome:
    executable = _scanner(context, "checkov")
    if isinstance(executable, Outcome):
        return executable
    args = ["--file", _template_argument(context), "--framework", "cloudformation"]
    result = _run(executable, [*args, "--output", "json", "--compact", "--skip-download"], context.project)
    try:
        report = _checkov_report(result.stdout)
    except (ValueError, StopIteration):
        return Outcome.verdict([f"checkov gave no report: {result.stderr.strip()[-500:]}"], "checkov")
    results = report.get("results") or {}
    failed = [
        f"{check['check_id']} on {check['resource']}: {check['check_name']}"
        for check in results.get("failed_checks") or []
    ]
    notes = []
    for check in results.get("skipped_checks") or []:
        reason = " ".join(str(check["check_result"].get("suppress_comment") or "").split())
        label = f"{check['check_id']} skipped on {check['resource']}"
        if len(reason) < MIN_SKIP_REASON:
            failed.append(f"{label} without a reason (Metadata.checkov.skip comment)")
        else:
            notes.append(f"{label}: {reason}")
    summary = report.get("summary") or {}
    checked = f"{summary.get('passed', 0)} checkov checks passed, {len(notes)} skipped with their reason"
    return Outcome.verdict(sorted(failed), checked, sorted(notes))
