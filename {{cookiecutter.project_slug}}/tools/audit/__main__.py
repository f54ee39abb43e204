"""Run the audit and print its report; write it as JSON and Markdown when asked.

    python -m tools.audit [--live] [--stage dev] [--template PATH] [--json PATH] [--markdown PATH]
    python -m tools.audit --stage dev --stage prod --template '.build/audit/{stage}.json'
    python -m tools.audit --list-stages   # the stages serverless.yml defines (its params)

The printed report starts with the totals (passed, failed, skipped, exceptions accepted) and gives one
line per control; -v adds what each control cites and every exception it accepted with its reason.

With several stages (each packaged to its own template), a control fails when it fails for any of
them; a finding of one stage only is prefixed with that stage.

Exit status: 0 when no control fails (skipped ones say why), 1 when a control fails, 2 when the audit
cannot run (no packaged template, no access to the deployed stack).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from tools.audit import config, report
from tools.audit.catalogue import CONTROLS
from tools.audit.live import Account, discover
from tools.audit.model import Audit, Control, Finding, LiveContext, Outcome, StaticContext, Status
from tools.audit.stack import Stack, defined_stages
from tools.residency import region_block

PACKAGED_TEMPLATE = Path(".serverless/cloudformation-template-update-stack.json")


def _run(control: Control, check: Callable[[], Outcome]) -> Finding:
    """Run one check; a check that breaks fails its control instead of stopping the audit."""
    try:
        outcome = check()
    except Exception as error:  # a broken check is reported as its control's failure
        outcome = Outcome(Status.FAIL, "the check could not run", (f"{type(error).__name__}: {error}",))
    return Finding(control, outcome)


def static_audit(stack: Stack, template: Path, project: Path, stage: str, scan_bin: Path | None) -> Audit:
    """Every control, checked against the packaged template."""
    context = StaticContext(stack, template, project, scan_bin, stage)
    return Audit("static", stage, [_run(c, partial(c.static, context)) for c in CONTROLS])


def _stage_lines(by_stage: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Lines found for some stages: once as they are when every stage has them, else per stage."""
    seen: dict[str, list[str]] = {}
    for stage, lines in by_stage.items():
        for line in lines:
            seen.setdefault(line, []).append(stage)
    merged: list[str] = []
    for line, found_in in seen.items():
        if len(found_in) == len(by_stage):
            merged.append(line)
        else:
            merged += [f"[{stage}] {line}" for stage in found_in]
    return tuple(merged)


def merge(audits: dict[str, Audit]) -> Audit:
    """One audit of several stages: each control's worst status, with every stage's findings."""
    if len(audits) == 1:
        return next(iter(audits.values()))
    stages = list(audits)
    findings = []
    for index, first in enumerate(next(iter(audits.values())).findings):
        outcomes = {stage: audit.findings[index].outcome for stage, audit in audits.items()}
        statuses = {outcome.status for outcome in outcomes.values()}
        status = next(s for s in (Status.FAIL, Status.PASS, Status.SKIP) if s in statuses)
        summaries = {outcome.summary for outcome in outcomes.values()}
        summary = (
            summaries.pop()
            if len(summaries) == 1
            else "; ".join(f"{stage}: {outcome.summary}" for stage, outcome in outcomes.items())
        )
        offenders = _stage_lines({stage: outcome.offenders for stage, outcome in outcomes.items()})
        notes = _stage_lines({stage: outcome.notes for stage, outcome in outcomes.items()})
        findings.append(Finding(first.control, Outcome(status, summary, offenders, notes)))
    return Audit("static", "{" + ",".join(stages) + "}", findings)


def live_audit(stack: Stack, account: Account, stage: str) -> Audit:
    """The controls that can be read from the account, checked against the deployed resources."""
    context = LiveContext(stack, account, stage)
    return Audit("live", stage, [_run(c, partial(c.live, context)) for c in CONTROLS if c.live])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--live", action="store_true", help="read the deployed stack instead (needs AWS access)"
    )
    parser.add_argument(
        "--stage",
        action="append",
        help="a stage packaged and deployed (default dev); repeat it to audit several stages",
    )
    parser.add_argument(
        "--template",
        default=str(PACKAGED_TEMPLATE),
        help="the packaged CloudFormation; with several stages, a path with {stage} in it",
    )
    parser.add_argument(
        "--list-stages", action="store_true", help="print the stages serverless.yml defines, and exit"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print what each control cites and the exceptions it accepted (failures always show theirs)",
    )
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    parser.add_argument("--markdown", type=Path, help="also write the report as Markdown here")
    parser.add_argument(
        "--scan-bin", type=Path, help="folder with cfn-lint and checkov (default .venv-scan/bin)"
    )
    parser.add_argument(
        "--resources",
        type=Path,
        help="--live: JSON file of logical id -> physical id, instead of asking CloudFormation",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Audit, print the report, write the files asked for; non-zero when a control fails."""
    args = _parser().parse_args(argv)
    project = Path.cwd()
    if args.list_stages:
        print(" ".join(defined_stages(project / "serverless.yml")))
        return 0
    stages: list[str] = args.stage or ["dev"]
    if len(stages) > 1 and ("{stage}" not in args.template or args.live):
        print("audit: several stages need --template with {stage} in it (and no --live).", file=sys.stderr)
        return 2
    templates = {stage: Path(args.template.replace("{stage}", stage)) for stage in stages}
    for stage, template in templates.items():
        if not template.exists():
            print(f"audit: no {template}: run make package STAGE={stage} first.", file=sys.stderr)
            return 2
    if args.live:
        (stage,) = stages
        stack = Stack.load(templates[stage])
        region = region_block(project / "serverless.yml")["name"]
        session = boto3.session.Session(region_name=region)
        stack_name = f"{config.SERVICE}-{stage}"
        try:
            if args.resources:
                physical_ids = json.loads(args.resources.read_text(encoding="utf-8"))
            else:
                physical_ids = discover(stack_name, session)
        except (ClientError, BotoCoreError) as error:
            print(f"audit: cannot read stack {stack_name} in {region}: {error}", file=sys.stderr)
            return 2
        audit = live_audit(stack, Account(physical_ids, session), stage)
    else:
        audit = merge(
            {
                stage: static_audit(Stack.load(path), path.resolve(), project, stage, args.scan_bin)
                for stage, path in templates.items()
            }
        )
    print(report.table(audit, verbose=args.verbose))
    for path, text in ((args.json, report.as_json(audit)), (args.markdown, report.markdown(audit))):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return 1 if audit.failed else 0


if __name__ == "__main__":
    sys.exit(main())
