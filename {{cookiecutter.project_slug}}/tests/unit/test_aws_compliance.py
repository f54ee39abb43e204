"""The jurisdiction's rules in the AWS stack: serverless.yml's audit archive, log retention, region block and
audit rule agree with the compliance module, and make deploy publishes the deployment on the stack's bus.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from tests.support.audit import RETENTION_PARAM, archive_lock_rule
from tests.support.region import REGION
from tests.support.tables import SERVERLESS_YML, load_resources
from tests.unit.test_compliance import packaged
from tools import cfn_yaml, sbom

from {{ cookiecutter.package_name }} import compliance
from {{ cookiecutter.package_name }}.compliance import deployment


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
