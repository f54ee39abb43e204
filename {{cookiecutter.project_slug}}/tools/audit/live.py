"""--live: read the deployed stack with boto3 and report where it drifted from the packaged defaults.

The packaged template (make package) says what each resource should be; CloudFormation's list of
the stack's resources says which physical resource each logical id became. A resource missing from
the account, or set differently there (a table without point-in-time recovery, a queue without its
dead-letter queue, a shorter log retention), fails its control.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from tools.audit.checks import FUNCTION, LOG_GROUP, QUEUE, TABLE, audit_bucket_problems, audit_buckets
from tools.audit.model import LiveContext, Outcome
from tools.audit.stack import Resource, Stack

KMS_KEY = "AWS::KMS::Key"
Inspect = Callable[["Account", str, Resource, str], list[str]]


class Account:
    """The deployed resources of one stack, by logical id, and boto3 clients to read them."""

    def __init__(self, physical_ids: dict[str, str], session: boto3.session.Session) -> None:
        self.physical_ids = physical_ids
        self.session = session
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service)
        return self._clients[service]

    def key_id(self, stack: Stack, value: Any) -> str | None:
        """The deployed key id of the stack key `value` refers to, if known."""
        logical_id = stack.target_of_type(value, KMS_KEY)
        physical = self.physical_ids.get(logical_id) if logical_id else None
        return physical.rsplit("/", 1)[-1] if physical else None

    def same_key(self, deployed: str | None, expected_key_id: str | None) -> bool:
        """Whether a deployed key reference (id, ARN or alias) is the expected customer key."""
        if not deployed or "alias/aws/" in deployed:
            return False
        if expected_key_id is None or expected_key_id in deployed:
            return True
        try:
            metadata = self.client("kms").describe_key(KeyId=deployed)["KeyMetadata"]
        except ClientError:
            return False
        return bool(metadata["KeyId"] == expected_key_id)


def discover(stack_name: str, session: boto3.session.Session) -> dict[str, str]:
    """Logical id -> physical id of every resource of the deployed CloudFormation stack."""
    paginator = session.client("cloudformation").get_paginator("list_stack_resources")
    return {
        summary["LogicalResourceId"]: summary["PhysicalResourceId"]
        for page in paginator.paginate(StackName=stack_name)
        for summary in page["StackResourceSummaries"]
        if summary.get("PhysicalResourceId")
    }


def _each(context: LiveContext, resources: dict[str, Resource], noun: str, inspect: Inspect) -> Outcome:
    """Run `inspect` on each deployed resource; a missing resource or an API error is a finding."""
    if not resources:
        return Outcome.skip(f"the packaged template has no {noun}")
    offenders = []
    for logical_id, resource in resources.items():
        physical = context.account.physical_ids.get(logical_id)
        if physical is None:
            offenders.append(f"{logical_id}: not in the deployed stack")
            continue
        try:
            problems = inspect(context.account, logical_id, resource, physical)
        except (ClientError, BotoCoreError) as error:
            problems = [f"cannot be read: {error}"]
        offenders += [f"{logical_id} ({physical}): {problem}" for problem in problems]
    checked = f"deployed {noun}: {len(resources)} checked against the packaged template"
    return Outcome.verdict(offenders, checked)


def _function_configuration(account: Account, physical: str) -> dict[str, Any]:
    configuration: dict[str, Any] = account.client("lambda").get_function_configuration(FunctionName=physical)
    return configuration


def lambda_tracing(context: LiveContext) -> Outcome:
    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        expected = (Stack.props(resource).get("TracingConfig") or {}).get("Mode", "PassThrough")
        deployed = (_function_configuration(account, physical).get("TracingConfig") or {}).get("Mode")
        return (
            [] if deployed == expected else [f"tracing is {deployed}; the packaged template says {expected}"]
        )

    return _each(context, context.stack.of_type(FUNCTION), "functions", inspect)


def lambda_env_encrypted(context: LiveContext) -> Outcome:
    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        expected = account.key_id(context.stack, Stack.props(resource).get("KmsKeyArn"))
        deployed = _function_configuration(account, physical).get("KMSKeyArn")
        if account.same_key(deployed, expected):
            return []
        return [f"environment encrypted with {deployed or 'the AWS-managed key'}, not the stack key"]

    return _each(context, context.stack.of_type(FUNCTION), "functions", inspect)


def lambda_concurrency(context: LiveContext) -> Outcome:
    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        expected = Stack.props(resource).get("ReservedConcurrentExecutions")
        deployed = account.client("lambda").get_function_concurrency(FunctionName=physical)
        reserved = deployed.get("ReservedConcurrentExecutions")
        if reserved == expected:
            return []
        return [f"reserved concurrency is {reserved}; the packaged template says {expected}"]

    return _each(context, context.stack.of_type(FUNCTION), "functions", inspect)


def _log_group(account: Account, name: str) -> dict[str, Any]:
    pages = account.client("logs").get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
    for page in pages:
        for group in page["logGroups"]:
            if group["logGroupName"] == name:
                found: dict[str, Any] = group
                return found
    raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no such log group"}}, "")


def logs_retention(context: LiveContext) -> Outcome:
    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        expected = Stack.props(resource).get("RetentionInDays")
        deployed = _log_group(account, physical).get("retentionInDays")
        return (
            []
            if deployed == expected
            else [f"retention is {deployed} days; the packaged template says {expected}"]
        )

    return _each(context, context.stack.of_type(LOG_GROUP), "log groups", inspect)


def logs_encrypted(context: LiveContext) -> Outcome:
    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        expected = account.key_id(context.stack, Stack.props(resource).get("KmsKeyId"))
        deployed = _log_group(account, physical).get("kmsKeyId")
        return (
            [] if account.same_key(deployed, expected) else [f"encrypted with {deployed}, not the stack key"]
        )

    return _each(context, context.stack.of_type(LOG_GROUP), "log groups", inspect)


def tables_encrypted(context: LiveContext) -> Outcome:
    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        sse = (Stack.props(resource).get("SSESpecification")) or {}
        expected = account.key_id(context.stack, sse.get("KMSMasterKeyId"))
        table = account.client("dynamodb").describe_table(TableName=physical)["Table"]
        deployed = table.get("SSEDescription") or {}
        encrypted = deployed.get("Status") in ("ENABLED", "UPDATING") and deployed.get("SSEType") == "KMS"
        if encrypted and account.same_key(deployed.get("KMSMasterKeyArn"), expected):
            return []
        return [f"encryption is {json.dumps(deployed, sort_keys=True)}, not the stack key"]

    return _each(context, context.stack.of_type(TABLE), "tables", inspect)


def tables_point_in_time_recovery(context: LiveContext) -> Outcome:
    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        backups = account.client("dynamodb").describe_continuous_backups(TableName=physical)
        status = (
            backups["ContinuousBackupsDescription"]
            .get("PointInTimeRecoveryDescription", {})
            .get("PointInTimeRecoveryStatus")
        )
        return [] if status == "ENABLED" else [f"point-in-time recovery is {status}"]

    return _each(context, context.stack.of_type(TABLE), "tables", inspect)


def tables_retained(context: LiveContext) -> Outcome:
    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        table = account.client("dynamodb").describe_table(TableName=physical)["Table"]
        return [] if table.get("DeletionProtectionEnabled") is True else ["deletion protection is off"]

    return _each(context, context.stack.of_type(TABLE), "tables", inspect)


def _queue_attributes(account: Account, url: str) -> dict[str, str]:
    attributes: dict[str, str] = account.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["All"]
    )["Attributes"]
    return attributes


def queues_encrypted(context: LiveContext) -> Outcome:
    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        expected = account.key_id(context.stack, Stack.props(resource).get("KmsMasterKeyId"))
        deployed = _queue_attributes(account, physical).get("KmsMasterKeyId")
        return (
            [] if account.same_key(deployed, expected) else [f"encrypted with {deployed}, not the stack key"]
        )

    return _each(context, context.stack.of_type(QUEUE), "queues", inspect)


def queues_have_dlq(context: LiveContext) -> Outcome:
    stack = context.stack

    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        policy = Stack.props(resource).get("RedrivePolicy") or {}
        target = stack.target_of_type(policy.get("deadLetterTargetArn"), QUEUE)
        target_url = account.physical_ids.get(target) if target else None
        if target_url is None:
            return [f"its dead-letter queue {target} is not in the deployed stack"]
        expected = _queue_attributes(account, target_url)["QueueArn"]
        deployed = json.loads(_queue_attributes(account, physical).get("RedrivePolicy") or "{}")
        if deployed.get("deadLetterTargetArn") == expected:
            return []
        return [f"redrive policy is {deployed or 'absent'}; the packaged template sends to {target}"]

    with_dlq = {lid: q for lid, q in stack.of_type(QUEUE).items() if Stack.props(q).get("RedrivePolicy")}
    return _each(context, with_dlq, "queues with a dead-letter queue", inspect)


def audit_bucket_object_lock(context: LiveContext) -> Outcome:
    def inspect(account: Account, _: str, resource: Resource, physical: str) -> list[str]:
        try:
            lock = account.client("s3").get_object_lock_configuration(Bucket=physical)[
                "ObjectLockConfiguration"
            ]
        except ClientError as error:
            if error.response["Error"]["Code"] != "ObjectLockConfigurationNotFoundError":
                raise
            return ["Object Lock is not enabled"]
        deployed = {
            "Properties": {
                "ObjectLockEnabled": lock.get("ObjectLockEnabled") == "Enabled",
                "ObjectLockConfiguration": lock,
                "VersioningConfiguration": {"Status": "Enabled"},  # Object Lock cannot exist without it
            }
        }
        return audit_bucket_problems(deployed, context.stage)

    buckets = audit_buckets(context.stack)
    return _each(context, buckets, "audit trail buckets", inspect)
