"""The jurisdiction's rules are one fact: the compliance module and the stack agree on them."""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.support.audit import RETENTION_PARAM, archive_lock_rule
from tests.support.region import REGION
from tests.support.tables import SERVERLESS_YML, load_resources
from tools import cfn_yaml, sbom

from {{ cookiecutter.package_name }} import compliance
from {{ cookiecutter.package_name }}.compliance import deployment
from {{ cookiecutter.package_name }}.compliance.deployment import deployment_event


def serverless() -> dict[str, Any]:
    text = SERVERLESS_YML.read_text(encoding="utf-8")
    document: dict[str, Any] = cfn_yaml.load(text)
    return document


def test_the_audit_archive_keeps_records_for_the_jurisdictions_retention() -> None:
    bucket = load_resources()["AuditArchiveBucket"]["Properties"]

    assert bucket["ObjectLockConfiguration"]["Rule"]["DefaultRetention"] == RETENTION_PARAM
    assert archive_lock_rule("prod") == {"Mode": "COMPLIANCE", "Years": compliance.RETENTION_YEARS}
    # A stage someone adds takes the default: as strict as prod.
    assert archive_lock_rule("staging") == archive_lock_rule("prod")
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(bucket["PublicAccessBlockConfiguration"].values())


def test_only_dev_chooses_a_short_governance_lock_so_it_can_be_torn_down() -> None:
    assert archive_lock_rule("dev") == {"Mode": "GOVERNANCE", "Days": 1}
    assert "auditArchiveRetention" not in (serverless()["params"].get("prod") or {})


def test_logs_are_kept_for_the_jurisdictions_log_retention() -> None:
    assert serverless()["provider"]["logRetentionInDays"] == compliance.LOG_RETENTION_DAYS


def test_the_stack_may_only_live_where_the_jurisdiction_allows() -> None:
    region = serverless()["custom"]["region"]

    assert tuple(region["allowedRegions"]) == compliance.ALLOWED_REGIONS
    assert region["jurisdiction"] == compliance.JURISDICTION


def test_the_audit_rule_routes_exactly_the_critical_events() -> None:
    pattern = load_resources()["AuditTrailRule"]["Properties"]["EventPattern"]

    routed = {
        (source.removeprefix("{{ cookiecutter.package_name }}."), name)
        for branch in pattern["$or"]
        for source in branch["source"]
        for name in branch["detail-type"]
    }
    assert routed == compliance.AUDITED_EVENTS
    assert ("deployment", "StackDeployed") in routed
    assert ("api", "PlayerSignInFailed") in routed


def packaged(folder: Path, *zips: str) -> Path:
    """A package folder holding these zips (each with this project's package in it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in zips:
        with zipfile.ZipFile(folder / name, "w") as opened:
            opened.writestr(f"src/{sbom.PACKAGE}/__init__.py", f"# {name}\n")
    return folder


def test_a_deployment_event_names_stage_commit_and_deployer() -> None:
    at = datetime(2030, 1, 1, tzinfo=UTC)
    artifacts = [
        {
            "artifact": "api.zip",
            "sha256": "00",
            "sbom": "api.cdx.json",
            "sbom_serial": "urn:uuid:1",
            "sbom_sha256": "11",
        }
    ]

    event = deployment_event(
        stage="prod", commit="abc123", deployed_by="arn:aws:iam::1:role/deployer", at=at, artifacts=artifacts
    )
    again = deployment_event(
        stage="prod", commit="abc123", deployed_by="arn:aws:iam::1:role/deployer", at=at, artifacts=artifacts
    )

    assert event.name == "StackDeployed"
    assert event.source == "{{ cookiecutter.package_name }}.deployment"
    assert event.detail["stage"] == "prod"
    assert event.detail["commit"] == "abc123"
    assert event.detail["artifacts"] == artifacts
    assert event.event_id == again.event_id  # the same deployment, published twice, is recorded once
    assert event.correlation_id != again.correlation_id


def test_the_deployment_names_each_deployed_zip_and_the_sbom_kept_beside_it(tmp_path: Path) -> None:
    package = packaged(tmp_path / ".serverless", "api.zip", "wallet.zip")
    written = sbom.write_all(package, sbom.PROJECT_ROOT)
    (package / "wallet.cdx.json").unlink()  # a zip whose SBOM went missing is named as such

    artifacts = sbom.deployed_artifacts(package)

    api, wallet = artifacts
    document = package / "api.cdx.json"
    assert document in written
    assert api == {
        "artifact": "api.zip",
        "sha256": hashlib.sha256((package / "api.zip").read_bytes()).hexdigest(),
        "sbom": "api.cdx.json",
        "sbom_serial": json.loads(document.read_text(encoding="utf-8"))["serialNumber"],
        "sbom_sha256": hashlib.sha256(document.read_bytes()).hexdigest(),
    }
    assert wallet["artifact"] == "wallet.zip"
    assert wallet["sbom"] is None
    assert wallet["sbom_sha256"] is None
    event = deployment_event(
        stage="prod", commit="abc123", deployed_by="arn", at=datetime.now(UTC), artifacts=artifacts
    )
    assert event.detail["artifacts"][0]["sbom_sha256"] == api["sbom_sha256"]


@pytest.mark.integration
def test_make_deploy_publishes_the_deployment_on_the_stacks_bus(
    events_client: Any, sqs_client: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    stage = f"t{uuid.uuid4().hex[:6]}"
    bus = f"{deployment.SERVICE}-{stage}"
    events_client.create_event_bus(Name=bus)
    queue_url = sqs_client.create_queue(QueueName=f"deployments-{stage}")["QueueUrl"]
    queue = sqs_client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    pattern = json.dumps({"detail-type": ["StackDeployed"]})
    events_client.put_rule(Name="deployments", EventBusName=bus, EventPattern=pattern)
    target = {"Id": "queue", "Arn": queue["Attributes"]["QueueArn"]}
    events_client.put_targets(Rule="deployments", EventBusName=bus, Targets=[target])

    package = packaged(tmp_path / ".serverless", "api.zip")
    sbom.write_all(package, sbom.PROJECT_ROOT)

    arguments = ["--stage", stage, "--region", REGION, "--package", str(package)]
    assert deployment.main(arguments) == 0

    (message,) = sqs_client.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    published = json.loads(message["Body"])
    assert published["source"] == "{{ cookiecutter.package_name }}.deployment"
    assert published["detail"]["stage"] == stage
    assert published["detail"]["deployed_by"].startswith("arn:aws:")
    (artifact,) = published["detail"]["artifacts"]
    assert artifact["artifact"] == "api.zip"
    assert artifact["sbom"] == "api.cdx.json"
    assert artifact["sbom_sha256"] == hashlib.sha256((package / "api.cdx.json").read_bytes()).hexdigest()
    assert f"published on {bus}" in capsys.readouterr().out
