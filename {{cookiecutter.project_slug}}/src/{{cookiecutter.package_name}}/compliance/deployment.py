"""Append a deployment to the audit trail: `make deploy` runs this right after `osls deploy`.

    PYTHONPATH=src python -m {{ cookiecutter.package_name }}.compliance.deployment --stage prod

Publishes StackDeployed (stage, git commit, the deploying IAM principal, time, and each deployed zip
with its SHA-256 and the CycloneDX SBOM kept beside it: name, serial number, SHA-256; tools/sbom.py)
on the stack's EventBridge bus; the AuditTrailRule routes it to the auditTrail worker, which chains
and archives it like any other critical event. The deploying role needs events:PutEvents on the bus and
sts:GetCallerIdentity (always allowed). CloudTrail records the CloudFormation calls themselves.
Not packaged into any function.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ..domain.events import DomainEvent
from ..settings import PACKAGE

SERVICE = "{{ cookiecutter.project_slug }}"


def deployment_event(
    *,
    stage: str,
    commit: str,
    deployed_by: str,
    at: datetime,
    artifacts: Sequence[Mapping[str, str | None]],
) -> DomainEvent:
    """The StackDeployed event of one deployment: who deployed what, and the SBOM of each zip."""
    return DomainEvent(
        name="StackDeployed",
        source=f"{PACKAGE}.deployment",
        detail={
            "service": SERVICE,
            "stage": stage,
            "commit": commit,
            "deployed_by": deployed_by,
            "deployed_at": at.isoformat(),
            "artifacts": [dict(artifact) for artifact in artifacts],
        },
        correlation_id=f"deploy-{uuid.uuid4().hex}",
        occurred_at=at,
    )


def current_commit(project: Path) -> str:
    """The checked-out git commit, marked dirty when files differ from it; `unknown` outside git."""
    try:
        commit = _git(project, "rev-parse", "HEAD")
        dirty = _git(project, "status", "--porcelain")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def _git(project: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True)  # noqa: S603, S607
    return result.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    """Publish the deployment of --stage to the stack's bus."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stage", required=True)
    parser.add_argument("--region", help="the stack's region (default: custom.region.name of serverless.yml)")
    parser.add_argument(
        "--package", type=Path, default=Path(".serverless"), help="the deployed zips (default: .serverless)"
    )
    args = parser.parse_args(argv)

    import boto3
    from tools.residency import region_block
    from tools.sbom import deployed_artifacts

    from ..adapters.eventbridge import EventBridgePublisher

    region = args.region or region_block(Path("serverless.yml"))["name"]
    deployed_by = boto3.client("sts", region_name=region).get_caller_identity()["Arn"]
    artifacts = deployed_artifacts(args.package)
    # The stack is already up: the record goes out either way, and says what it could not name.
    unnamed = [artifact["artifact"] for artifact in artifacts if artifact["sbom"] is None]
    if not artifacts or unnamed:
        print(
            f"audit: no SBOM for {', '.join(map(str, unnamed)) or f'any zip in {args.package}'}: "
            "make audit writes them (tools/sbom.py)",
            file=sys.stderr,
        )
    event = deployment_event(
        stage=args.stage,
        commit=current_commit(Path.cwd()),
        deployed_by=deployed_by,
        at=datetime.now(UTC),
        artifacts=artifacts,
    )
    bus = f"{SERVICE}-{args.stage}"
    EventBridgePublisher(bus, boto3.client("events", region_name=region)).publish([event])
    named = len(artifacts) - len(unnamed)
    print(
        f"audit: StackDeployed {args.stage} ({event.detail['commit']}; {len(artifacts)} zips, {named} SBOMs"
        f" named) published on {bus}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
