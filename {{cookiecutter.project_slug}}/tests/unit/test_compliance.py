"""The jurisdiction's rules are one fact: the compliance module and the stack agree on them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from tests.support.audit import RETENTION_PARAM, archive_lock_rule
from tests.support.tables import SERVERLESS_YML, CloudFormationLoader, load_resources

from {{ cookiecutter.package_name }} import compliance
from {{ cookiecutter.package_name }}.compliance import deployment
from {{ cookiecutter.package_name }}.compliance.deployment import deployment_event


def serverless() -> dict[str, Any]:
    text = SERVERLESS_YML.read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.load(text, Loader=CloudFormationLoader)  # noqa: S506 - safe loader subclass
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


def test_a_deployment_event_names_stage_commit_and_deployer() -> None:
    at = datetime(2030, 1, 1, tzinfo=UTC)

    event = deployment_event(stage="prod", commit="abc123", deployed_by="arn:aws:iam::1:role/deployer", at=at)
    again = deployment_event(stage="prod", commit="abc123", deployed_by="arn:aws:iam::1:role/deployer", at=at)

    assert event.name == "StackDeployed"
    assert event.source == "{{ cookiecutter.package_name }}.deployment"
    assert event.detail["stage"] == "prod"
    assert event.detail["commit"] == "abc123"
    assert event.event_id == again.event_id  # the same deployment, published twice, is recorded once
    assert event.correlation_id != again.correlation_id


@pytest.mark.integration
def test_make_deploy_publishes_the_deployment_on_the_stacks_bus(
    events_client: Any, sqs_client: Any, capsys: pytest.CaptureFixture[str]
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

    assert deployment.main(["--stage", stage, "--region", "{{ cookiecutter.region }}"]) == 0

    (message,) = sqs_client.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    published = json.loads(message["Body"])
    assert published["source"] == "{{ cookiecutter.package_name }}.deployment"
    assert published["detail"]["stage"] == stage
    assert published["detail"]["deployed_by"].startswith("arn:aws:")
    assert f"published on {bus}" in capsys.readouterr().out
