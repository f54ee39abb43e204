"""Run the audit and print its report; write it as JSON and Markdown when asked.

    python -m tools.audit [--live] [--stage dev] [--template PATH] [--json PATH] [--markdown PATH]

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
from tools.audit.stack import Stack
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
    context = StaticContext(stack, template, project, scan_bin)
    return Audit("static", stage, [_run(c, partial(c.static, context)) for c in CONTROLS])


def live_audit(stack: Stack, account: Account, stage: str) -> Audit:
    """The controls that can be read from the account, checked against the deployed resources."""
    context = LiveContext(stack, account)
    return Audit("live", stage, [_run(c, partial(c.live, context)) for c in CONTROLS if c.live])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--live", action="store_true", help="read the deployed stack instead (needs AWS access)"
    )
    parser.add_argument("--stage", default="dev", help="the stage packaged and deployed (default dev)")
    parser.add_argument(
        "--template", type=Path, default=PACKAGED_TEMPLATE, help="the packaged CloudFormation"
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
    if not args.template.exists():
        print(f"audit: no {args.template}: run make package STAGE={args.stage} first.", file=sys.stderr)
        return 2
    stack = Stack.load(args.template)
    if args.live:
        region = region_block(project / "serverless.yml")["name"]
        session = boto3.session.Session(region_name=region)
        stack_name = f"{config.SERVICE}-{args.stage}"
        try:
            if args.resources:
                physical_ids = json.loads(args.resources.read_text(encoding="utf-8"))
            else:
                physical_ids = discover(stack_name, session)
        except (ClientError, BotoCoreError) as error:
            print(f"audit: cannot read stack {stack_name} in {region}: {error}", file=sys.stderr)
            return 2
        audit = live_audit(stack, Account(physical_ids, session), args.stage)
    else:
        audit = static_audit(stack, args.template.resolve(), project, args.stage, args.scan_bin)
    print(report.table(audit))
    for path, text in ((args.json, report.as_json(audit)), (args.markdown, report.markdown(audit))):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return 1 if audit.failed else 0


if __name__ == "__main__":
    sys.exit(main())
