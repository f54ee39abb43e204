"""`--live` against a real moto server: resources deployed as packaged pass; each drift is reported.

The test deploys a small stack by hand (a key, a table, a queue and its dead-letter queue, a log group,
a function), writes the template that says how they should be, and points the audit at them with
--resources instead of CloudFormation's resource list.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from tests.support.moto_server import MotoServer
from tools.audit import config
from tools.audit.__main__ import main

pytestmark = pytest.mark.integration

PROJECT_ROOT = Path(__file__).resolve().parents[1]
KEY = {"Fn::GetAtt": ["DataKey", "Arn"]}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


@dataclass
class Deployed:
    """What the test deployed: physical ids by logical id, and the key they are encrypted with."""

    physical_ids: dict[str, str]
    key_arn: str

    def client(self, service: str) -> Any:
        return boto3.client(service)  # type: ignore[call-overload]


def packaged_template() -> dict[str, Any]:
    """How the deployed resources should be: the project's defaults."""
    return {
        "Resources": {
            "DataKey": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}},
            "LedgerTable": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Retain",
                "Properties": {
                    "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY},
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    "DeletionProtectionEnabled": True,
                },
            },
            "WorkQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "KmsMasterKeyId": KEY,
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
                        "maxReceiveCount": 3,
                    },
                },
            },
            "DeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": KEY}},
            "WorkerLogGroup": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"RetentionInDays": config.LOG_RETENTION_DAYS, "KmsKeyId": KEY},
            },
            "WorkerLambdaFunction": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"KmsKeyArn": KEY, "TracingConfig": {"Mode": "Active"}},
            },
        }
    }


def handler_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def create_function(name: str, key_arn: str, tracing: str) -> None:
    role = boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"][
        "Arn"
    ]
    boto3.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": handler_zip()},
        KMSKeyArn=key_arn,
        TracingConfig={"Mode": tracing},
        Environment={"Variables": {"LOG_LEVEL": "INFO"}},
    )


@pytest.fixture
def deployed(moto_server: MotoServer) -> Deployed:
    """The stack's resources as packaged, under names like the stack's and unique to this test."""
    prefix = f"{config.SERVICE}-t{uuid.uuid4().hex[:8]}"
    key = boto3.client("kms").create_key(Description=f"{prefix} data at rest")["KeyMetadata"]
    dynamodb = boto3.client("dynamodb")
    table = f"{prefix}-ledger"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["Arn"]},
        DeletionProtectionEnabled=True,
    )
    dynamodb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    sqs = boto3.client("sqs")
    dead_letter = sqs.create_queue(QueueName=f"{prefix}-dlq", Attributes={"KmsMasterKeyId": key["Arn"]})[
        "QueueUrl"
    ]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter, AttributeNames=["QueueArn"])[
        "Attributes"
    ]
    redrive = {"deadLetterTargetArn": dead_letter_arn["QueueArn"], "maxReceiveCount": 3}
    work = sqs.create_queue(
        QueueName=f"{prefix}-work",
        Attributes={"KmsMasterKeyId": key["Arn"], "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]
    function = f"{prefix}-worker"
    logs = boto3.client("logs")
    logs.create_log_group(logGroupName=f"/aws/lambda/{function}", kmsKeyId=key["Arn"])
    logs.put_retention_policy(
        logGroupName=f"/aws/lambda/{function}", retentionInDays=config.LOG_RETENTION_DAYS
    )
    create_function(function, key["Arn"], "Active")
    physical_ids = {
        "DataKey": key["KeyId"],
        "LedgerTable": table,
        "WorkQueue": work,
        "DeadLetterQueue": dead_letter,
        "WorkerLogGroup": f"/aws/lambda/{function}",
        "WorkerLambdaFunction": function,
    }
    return Deployed(physical_ids, key["Arn"])


def live_audit(
    deployed: Deployed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(PROJECT_ROOT)
    template = tmp_path / "template.json"
    template.write_text(json.dumps(packaged_template()), encoding="utf-8")
    resources = tmp_path / "resources.json"
    resources.write_text(json.dumps(deployed.physical_ids), encoding="utf-8")
    report = tmp_path / "live.json"
    code = main(["--live", "--template", str(template), "--resources", str(resources), "--json", str(report)])
    return code, json.loads(report.read_text(encoding="utf-8"))


def by_status(report: dict[str, Any], status: str) -> dict[str, dict[str, Any]]:
    return {control["id"]: control for control in report["controls"] if control["status"] == status}


def test_stack_deployed_as_packaged_shows_no_drift(
    deployed: Deployed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, report = live_audit(deployed, tmp_path, monkeypatch)
    assert code == 0
    assert by_status(report, "fail") == {}
    assert set(by_status(report, "pass")) == {
        "lambda-tracing-active",
        "lambda-env-encrypted-with-cmk",
        "lambda-concurrency-bounded",
        "logs-retention-from-jurisdiction",
        "logs-encrypted-with-cmk",
        "tables-encrypted-with-cmk",
        "tables-point-in-time-recovery",
        "tables-retained",
        "queues-have-dlq",
        "queues-encrypted-with-cmk",
    }
    assert report["mode"] == "live"


def without_pitr(stack: Deployed) -> None:
    stack.client("dynamodb").update_continuous_backups(
        TableName=stack.physical_ids["LedgerTable"],
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False},
    )


def without_deletion_protection(stack: Deployed) -> None:
    stack.client("dynamodb").update_table(
        TableName=stack.physical_ids["LedgerTable"], DeletionProtectionEnabled=False
    )


def without_dead_letter_queue(stack: Deployed) -> None:
    stack.client("sqs").set_queue_attributes(
        QueueUrl=stack.physical_ids["WorkQueue"], Attributes={"RedrivePolicy": ""}
    )


def with_aws_managed_queue_key(stack: Deployed) -> None:
    stack.client("sqs").set_queue_attributes(
        QueueUrl=stack.physical_ids["DeadLetterQueue"], Attributes={"KmsMasterKeyId": "alias/aws/sqs"}
    )


def with_short_log_retention(stack: Deployed) -> None:
    stack.client("logs").put_retention_policy(
        logGroupName=stack.physical_ids["WorkerLogGroup"], retentionInDays=7
    )


def with_reserved_concurrency(stack: Deployed) -> None:
    stack.client("lambda").put_function_concurrency(
        FunctionName=stack.physical_ids["WorkerLambdaFunction"], ReservedConcurrentExecutions=0
    )


def redeployed_without_tracing(stack: Deployed) -> None:
    name = stack.physical_ids["WorkerLambdaFunction"]
    stack.client("lambda").delete_function(FunctionName=name)
    stack.client("iam").delete_role(RoleName=name)
    create_function(name, stack.key_arn, "PassThrough")


DRIFTS: list[tuple[str, Callable[[Deployed], None], str, str]] = [
    ("table without point-in-time recovery", without_pitr, "tables-point-in-time-recovery", "LedgerTable"),
    ("table deletion protection off", without_deletion_protection, "tables-retained", "LedgerTable"),
    ("queue without its dead-letter queue", without_dead_letter_queue, "queues-have-dlq", "WorkQueue"),
    (
        "queue on the AWS-managed key",
        with_aws_managed_queue_key,
        "queues-encrypted-with-cmk",
        "DeadLetterQueue",
    ),
    (
        "log retention shortened",
        with_short_log_retention,
        "logs-retention-from-jurisdiction",
        "WorkerLogGroup",
    ),
    (
        "concurrency reserved by hand",
        with_reserved_concurrency,
        "lambda-concurrency-bounded",
        "WorkerLambdaFunction",
    ),
    ("function without tracing", redeployed_without_tracing, "lambda-tracing-active", "WorkerLambdaFunction"),
]


@pytest.mark.parametrize(
    ("drift", "control_id", "resource"), [d[1:] for d in DRIFTS], ids=[d[0] for d in DRIFTS]
)
def test_drift_fails_exactly_its_control_naming_the_resource(
    drift: Callable[[Deployed], None],
    control_id: str,
    resource: str,
    deployed: Deployed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drift(deployed)
    code, report = live_audit(deployed, tmp_path, monkeypatch)
    assert code == 1
    failed = by_status(report, "fail")
    assert set(failed) == {control_id}
    (offender,) = failed[control_id]["offenders"]
    assert offender.startswith(f"{resource} ({deployed.physical_ids[resource]}): ")


def test_resource_missing_from_the_account_is_reported(
    deployed: Deployed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    del deployed.physical_ids["LedgerTable"]
    code, report = live_audit(deployed, tmp_path, monkeypatch)
    assert code == 1
    failed = by_status(report, "fail")
    assert set(failed) == {"tables-encrypted-with-cmk", "tables-point-in-time-recovery", "tables-retained"}
    assert failed["tables-retained"]["offenders"] == ["LedgerTable: not in the deployed stack"]
