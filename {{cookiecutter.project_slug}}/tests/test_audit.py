"""The audit's own checks, on a small stack shaped like the packaged one (no packaging needed).

Each weakened default must fail exactly the control that guards it; `make audit` runs the same checks
on the real packaged template, with cfn-lint and checkov.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tools import regulation
from tools.audit import config
from tools.audit.__main__ import main, static_audit
from tools.audit.catalogue import CONTROLS
from tools.audit.model import Audit, Finding, Outcome, Status
from tools.audit.report import as_json, markdown, table
from tools.audit.stack import Stack
from tools.regulation import GLI_19, Citation
from tools.residency import region_block

PROJECT_ROOT = Path(__file__).resolve().parents[1]
KEY = {"Fn::GetAtt": ["DataKey", "Arn"]}
SCANNERS = {"cfn-lint", "checkov"}
# Controls of the hybrid mode (tools/audit/hybrid.py) that do not apply to the synthetic stack: it has no
# platform webhook, and only a jurisdiction that keeps wagering off public clouds has wagering to refuse.
HYBRID_NOT_APPLICABLE = {"platform-webhook-key-from-secret-store"} | (
    set() if config.WAGERING_MODULES else {"no-wagering-function"}
)


def getatt(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def lambda_role(*statements: dict[str, Any]) -> dict[str, Any]:
    xray = {
        "Sid": "XRayTraces",
        "Effect": "Allow",
        "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        "Resource": "*",
    }
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": ["lambda.amazonaws.com"]},
                        "Action": "sts:AssumeRole",
                    }
                ]
            },
            "Policies": [{"PolicyName": "function", "PolicyDocument": {"Statement": [xray, *statements]}}],
        },
    }


def function(name: str, role: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": f"casino-dev-{name}",
            "Role": getatt(role),
            "KmsKeyArn": KEY,
            "TracingConfig": {"Mode": "Active"},
            "Environment": {
                "Variables": {
                    "LOG_LEVEL": "INFO",
                    "CORS_ALLOWED_ORIGINS": {"Fn::Join": [",", ["https://play.example.com"]]},
                }
            },
        },
    }


def log_group(name: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": name, "RetentionInDays": config.LOG_RETENTION_DAYS, "KmsKeyId": KEY},
    }


def queue(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": KEY, **properties}}


def bucket(**properties: Any) -> dict[str, Any]:
    encryption = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY}
    public_access = dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    return {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": encryption}]
            },
            "PublicAccessBlockConfiguration": public_access,
            **properties,
        },
    }


def tls_only(bucket_id: str) -> dict[str, Any]:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": False}},
    }
    return {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {"Bucket": {"Ref": bucket_id}, "PolicyDocument": {"Statement": [deny]}},
    }


def audit_bucket(**lock: Any) -> dict[str, Any]:
    return bucket(
        Tags=[{"Key": "purpose", "Value": "audit-trail"}],
        VersioningConfiguration={"Status": "Enabled"},
        **lock,
    )


def object_lock(mode: str, years: int) -> dict[str, Any]:
    retention = {"Mode": mode, "Years": years}
    return {
        "ObjectLockEnabled": True,
        "ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": retention}},
    }


def alarm(metric: str, dimension: str, watched: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "MetricName": metric,
            "Dimensions": [{"Name": dimension, "Value": watched}],
            "AlarmActions": [{"Ref": "AlertTopic"}],
        },
    }


# The api function publishes as the API and one module, never as any source.
PUBLISH_API_EVENTS = {
    "Sid": "PublishDomainEvents",
    "Effect": "Allow",
    "Action": "events:PutEvents",
    "Resource": getatt("EventBus"),
    "Condition": {
        "StringEquals": {
            "events:source": [f"{config.EVENT_SOURCE_PREFIX}api", f"{config.EVENT_SOURCE_PREFIX}sessions"]
        }
    },
}

# What the alarms watch: functions by Ref or by name, the dead-letter queue, the HTTP API.
ALARMS = [
    ("Errors", "FunctionName", {"Ref": "ApiLambdaFunction"}),
    ("Throttles", "FunctionName", {"Ref": "ApiLambdaFunction"}),
    ("Errors", "FunctionName", "casino-dev-worker"),
    ("Throttles", "FunctionName", "casino-dev-worker"),
    ("ApproximateNumberOfMessagesVisible", "QueueName", {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]}),
    ("Latency", "ApiId", {"Ref": "HttpApi"}),
]


def packaged_like() -> dict[str, Any]:
    """The shape of the packaged stack: its defaults, one resource of each kind."""
    table_statement = {
        "Sid": "Ledger",
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
        "Resource": getatt("LedgerTable"),
    }
    access_log = '{"requestId":"$context.requestId","status":"$context.status"}'
    template: dict[str, Any] = {
        "Conditions": {"Never": {"Fn::Equals": [{"Ref": "AWS::StackName"}, ""]}},
        "Resources": {
            "DataKey": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}},
            # The framework's shared role: never created, so never audited.
            "IamRoleLambdaExecution": {
                **lambda_role({"Effect": "Allow", "Action": "*", "Resource": "*"}),
                "Condition": "Never",
            },
            "ApiLambdaFunction": function("api", "ApiRole"),
            "ApiRole": lambda_role(table_statement, copy.deepcopy(PUBLISH_API_EVENTS)),
            "ApiLogGroup": log_group("/aws/lambda/casino-dev-api"),
            "WorkerLambdaFunction": function("worker", "WorkerRole"),
            "WorkerRole": lambda_role(table_statement),
            "WorkerLogGroup": log_group("/aws/lambda/casino-dev-worker"),
            "WorkerEventSourceMapping": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "FunctionName": getatt("WorkerLambdaFunction"),
                    "EventSourceArn": getatt("WorkQueue"),
                    "ScalingConfig": {"MaximumConcurrency": 5},
                },
            },
            "LedgerTable": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY},
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    "DeletionProtectionEnabled": True,
                },
            },
            "WorkQueue": queue(
                RedrivePolicy={"deadLetterTargetArn": getatt("DeadLetterQueue"), "maxReceiveCount": 3}
            ),
            "DeadLetterQueue": queue(),
            "WorkRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventPattern": {"source": ["casino.wallet"]},
                    "Targets": [
                        {
                            "Id": "work",
                            "Arn": getatt("WorkQueue"),
                            "DeadLetterConfig": {"Arn": getatt("DeadLetterQueue")},
                        }
                    ],
                },
            },
            "HttpApi": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"CorsConfiguration": {"AllowOrigins": ["https://play.example.com"]}},
            },
            "HttpApiLogGroup": log_group("/aws/http-api/casino-dev"),
            "HttpApiStage": {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {
                    "ApiId": {"Ref": "HttpApi"},
                    "DefaultRouteSettings": {"ThrottlingRateLimit": 20, "ThrottlingBurstLimit": 40},
                    "AccessLogSettings": {"DestinationArn": getatt("HttpApiLogGroup"), "Format": access_log},
                },
            },
            "HttpApiIntegration": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {"ApiId": {"Ref": "HttpApi"}, "IntegrationUri": getatt("ApiLambdaFunction")},
            },
            "HealthRoute": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {"RouteKey": "GET /health"}},
            # A player's route (not the wallet's: a us-nj stack may have none, no-wagering-function).
            "PlayerRoute": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {"RouteKey": "GET /leaderboards", "AuthorizationType": "JWT"},
            },
            "DeploymentBucket": bucket(),
            "DeploymentBucketPolicy": tls_only("DeploymentBucket"),
            "AuditTrail": audit_bucket(**object_lock("COMPLIANCE", config.RECORDS_RETENTION_YEARS)),
            "AuditTrailPolicy": tls_only("AuditTrail"),
            "AlertTopic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": KEY}},
            **{f"Alarm{number}": alarm(*watched) for number, watched in enumerate(ALARMS)},
            **private_network(),
            **edge(),
        },
    }
    for function_id in ("ApiLambdaFunction", "WorkerLambdaFunction"):
        template["Resources"][function_id]["Properties"]["VpcConfig"] = in_private_subnets()
    # The api function checks the edge's header (api/origin.py).
    template["Resources"]["ApiLambdaFunction"]["Properties"]["Environment"]["Variables"].update(
        ORIGIN_VERIFY_HEADER="x-origin-verify", ORIGIN_VERIFY_SECRET_ID={"Ref": "EdgeOriginSecret"}
    )
    return template


def private_network() -> dict[str, Any]:
    """The private networking of a stage that has it on: both functions in the VPC, endpoints scoped."""
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    account = {"StringEquals": {"aws:PrincipalAccount": {"Ref": "AWS::AccountId"}}}
    return {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        **{
            f"Subnet{zone}": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "VpcId": {"Ref": "Vpc"},
                    "AvailabilityZone": {"Fn::Select": [index, {"Fn::GetAZs": ""}]},
                    "MapPublicIpOnLaunch": False,
                },
            }
            for index, zone in enumerate("AB")
        },
        "RouteTable": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
        "FunctionSecurityGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"SecurityGroupEgress": [{**https, "CidrIp": "0.0.0.0/0"}]},
        },
        "EndpointSecurityGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "SecurityGroupIngress": [
                    {**https, "SourceSecurityGroupId": {"Ref": "FunctionSecurityGroup"}}
                ],
                "SecurityGroupEgress": [
                    {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "CidrIp": "127.0.0.1/32"}
                ],
            },
        },
        "DynamoDbEndpoint": endpoint(
            "Gateway", ["dynamodb:GetItem", "dynamodb:PutItem"], getatt("LedgerTable")
        ),
        "SqsEndpoint": endpoint("Interface", ["sqs:SendMessage"], getatt("DeadLetterQueue"), account),
        "XRayEndpoint": endpoint("Interface", ["xray:PutTraceSegments"], "*", account),
    }


def in_private_subnets() -> dict[str, Any]:
    """A function's VpcConfig on a stage with private networking."""
    return {
        "SecurityGroupIds": [{"Ref": "FunctionSecurityGroup"}],
        "SubnetIds": [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}],
    }


def endpoint(kind: str, actions: list[str], resource: Any, condition: Any = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": "*", "Action": actions, "Resource": [resource]}
    statement["Condition"] = condition or {
        "StringEquals": {"aws:PrincipalAccount": {"Ref": "AWS::AccountId"}}
    }
    return {
        "Type": "AWS::EC2::VPCEndpoint",
        "Properties": {
            "VpcId": {"Ref": "Vpc"},
            "VpcEndpointType": kind,
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        },
    }


def edge() -> dict[str, Any]:
    """The edge of a stage that has it on: CloudFront with the WAF web ACL in front of the HTTP API."""
    countries = list(config.EDGE_COUNTRIES)
    geo = (
        {"RestrictionType": "whitelist", "Locations": countries} if countries else {"RestrictionType": "none"}
    )
    return {
        "EdgeOriginSecret": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {"KmsKeyId": KEY, "GenerateSecretString": {"PasswordLength": 64}},
        },
        "EdgeSecurityHeaders": {
            "Type": "AWS::CloudFront::ResponseHeadersPolicy",
            "Properties": {
                "ResponseHeadersPolicyConfig": {
                    "SecurityHeadersConfig": {
                        "StrictTransportSecurity": {"AccessControlMaxAgeSec": 63072000, "Override": True},
                        "ContentTypeOptions": {"Override": True},
                    },
                    "CustomHeadersConfig": {
                        "Items": [{"Header": "Cache-Control", "Value": "no-store", "Override": True}]
                    },
                }
            },
        },
        "ApiDistribution": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "WebACLId": WEB_ACL,
                    "ViewerCertificate": {
                        "AcmCertificateArn": CERTIFICATE,
                        "MinimumProtocolVersion": "TLSv1.2_2021",
                    },
                    "Restrictions": {"GeoRestriction": geo},
                    "Origins": [
                        {
                            "Id": "http-api",
                            "DomainName": {"Fn::Sub": "${HttpApi}.execute-api.${AWS::Region}.amazonaws.com"},
                            "CustomOriginConfig": {
                                "OriginProtocolPolicy": "https-only",
                                "OriginSSLProtocols": ["TLSv1.2"],
                            },
                            "OriginCustomHeaders": [
                                {"HeaderName": "x-origin-verify", "HeaderValue": EDGE_SECRET_REFERENCE}
                            ],
                        }
                    ],
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "http-api",
                        "ViewerProtocolPolicy": "https-only",
                        "ResponseHeadersPolicyId": {"Ref": "EdgeSecurityHeaders"},
                    },
                }
            },
        },
    }


WEB_ACL = (
    "arn:aws:wafv2:us-east-1:111111111111:global/webacl/casino-dev-edge/00000000-0000-0000-0000-000000000000"
)
CERTIFICATE = "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
# CloudFront's origin header: the secret's value, resolved by CloudFormation (spelled so no template
# engine reads it).
EDGE_SECRET_REFERENCE = {
    "Fn::Join": ["", ["{" + "{resolve:secretsmanager:", {"Ref": "EdgeOriginSecret"}, ":SecretString:::}}"]]
}


def audit(template: dict[str, Any], tmp_path: Path, stage: str = "dev") -> Audit:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    return static_audit(Stack(template), path, PROJECT_ROOT, stage, scan_bin=tmp_path / "no-scanners")


def failed(result: Audit) -> set[str]:
    return {f.control.id for f in result.findings if f.outcome.status is Status.FAIL}


def status(result: Audit, control_id: str) -> Status:
    return next(f.outcome.status for f in result.findings if f.control.id == control_id)


def test_stack_with_the_defaults_passes_every_project_check(tmp_path: Path) -> None:
    result = audit(packaged_like(), tmp_path)
    assert failed(result) == set()
    assert {
        f.control.id for f in result.findings if f.outcome.status is Status.SKIP
    } == SCANNERS | HYBRID_NOT_APPLICABLE


def resources(template: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"]
    return found


def props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    found: dict[str, Any] = resources(template)[logical_id]["Properties"]
    return found


def statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = props(template, role)["Policies"][0]["PolicyDocument"]["Statement"]
    return found


def add_statement(role: str, **statement: Any) -> Callable[[dict[str, Any]], None]:
    return lambda t: statements(t, role).append({"Effect": "Allow", **statement})


def set_prop(logical_id: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda t: props(t, logical_id).__setitem__(key, value)


def drop_prop(logical_id: str, key: str) -> Callable[[dict[str, Any]], None]:
    return lambda t: props(t, logical_id).pop(key)


def set_env(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda t: props(t, "ApiLambdaFunction")["Environment"]["Variables"].__setitem__(name, value)


# 64 hex digits, the shape of a webhook signing key.
HEX_KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # pragma: allowlist secret
# A CloudFormation dynamic reference, spelled in two parts so no template engine reads it.
SECRETS_MANAGER_REFERENCE = "{" + "{resolve:secretsmanager:payments:SecretString:key}}"

WEAKENED: list[tuple[str, Callable[[dict[str, Any]], None], set[str]]] = [
    (
        "wildcard action",
        add_statement("ApiRole", Action="dynamodb:*", Resource=getatt("LedgerTable")),
        {"iam-no-wildcard-actions"},
    ),
    (
        "managed policy",
        set_prop("ApiRole", "ManagedPolicyArns", ["arn:aws:iam::aws:policy/AdministratorAccess"]),
        {"iam-no-wildcard-actions"},
    ),
    (
        "wildcard resource without reason",
        add_statement("ApiRole", Sid="ReadAll", Action="dynamodb:GetItem", Resource="*"),
        {"iam-wildcard-resources-justified"},
    ),
    (
        "allow-listed Sid widened",
        add_statement("ApiRole", Sid="XRayTraces", Action="s3:GetObject", Resource="*"),
        {"iam-wildcard-resources-justified"},
    ),
    (
        "shared role",
        set_prop("WorkerLambdaFunction", "Role", getatt("ApiRole")),
        {"iam-one-role-per-function"},
    ),
    (
        "tracing off",
        set_prop("ApiLambdaFunction", "TracingConfig", {"Mode": "PassThrough"}),
        {"lambda-tracing-active"},
    ),
    (
        "environment without the stack key",
        drop_prop("ApiLambdaFunction", "KmsKeyArn"),
        {"lambda-env-encrypted-with-cmk"},
    ),
    (
        "secret in the environment",
        set_env("PAYMENT_API_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),  # pragma: allowlist secret
        {"lambda-no-plain-secrets-in-env"},
    ),
    (
        "credential in a harmless name",
        set_env("DATABASE", "postgres://casino:hunter2@db.example.com/ledger"),  # pragma: allowlist secret
        {"lambda-no-plain-secrets-in-env"},
    ),
    (
        "plain signing key, found by its name",
        set_env("JWT_SIGNING_KEY", "plaintext"),
        {"lambda-no-plain-secrets-in-env"},
    ),
    (
        "hex key under a harmless name, found by its value (detect-secrets)",
        set_env("PAYMENT_WEBHOOK_SETTING", HEX_KEY),
        {"lambda-no-plain-secrets-in-env"},
    ),
    (
        "secret resolved into the environment",
        set_env("PAYMENT_KEY_VALUE", SECRETS_MANAGER_REFERENCE),
        {"lambda-no-plain-secrets-in-env"},
    ),
    (
        "uncapped SQS trigger",
        drop_prop("WorkerEventSourceMapping", "ScalingConfig"),
        {"lambda-concurrency-bounded"},
    ),
    (
        "short log retention",
        set_prop("ApiLogGroup", "RetentionInDays", 7),
        {"logs-retention-from-jurisdiction"},
    ),
    (
        "function without its log group",
        lambda t: resources(t).pop("WorkerLogGroup"),
        {"logs-retention-from-jurisdiction"},
    ),
    ("log group without KMS", drop_prop("HttpApiLogGroup", "KmsKeyId"), {"logs-encrypted-with-cmk"}),
    (
        "table without KMS",
        set_prop("LedgerTable", "SSESpecification", {"SSEEnabled": False}),
        {"tables-encrypted-with-cmk"},
    ),
    (
        "table without PITR",
        drop_prop("LedgerTable", "PointInTimeRecoverySpecification"),
        {"tables-point-in-time-recovery"},
    ),
    (
        "table deleted with the stack",
        lambda t: resources(t)["LedgerTable"].__setitem__("DeletionPolicy", "Delete"),
        {"tables-retained"},
    ),
    ("queue without DLQ", drop_prop("WorkQueue", "RedrivePolicy"), {"queues-have-dlq"}),
    (
        "queue with the AWS-managed key",
        set_prop("DeadLetterQueue", "KmsMasterKeyId", "alias/aws/sqs"),
        {"queues-encrypted-with-cmk"},
    ),
    (
        "rule target without DLQ",
        lambda t: props(t, "WorkRule")["Targets"][0].pop("DeadLetterConfig"),
        {"event-targets-have-dlq"},
    ),
    ("CORS *", set_prop("HttpApi", "CorsConfiguration", {"AllowOrigins": ["*"]}), {"cors-not-wildcard"}),
    ("CORS * in the app", set_env("CORS_ALLOWED_ORIGINS", "*"), {"cors-not-wildcard"}),
    (
        "route without authorizer",
        set_prop("PlayerRoute", "AuthorizationType", "NONE"),
        {"api-routes-authorized"},
    ),
    (
        "API not throttled",
        drop_prop("HttpApiStage", "DefaultRouteSettings"),
        {"api-stage-throttled", "lambda-concurrency-bounded"},
    ),
    (
        "player IPs in the access log",
        lambda t: props(t, "HttpApiStage")["AccessLogSettings"].__setitem__(
            "Format", "$context.identity.sourceIp"
        ),
        {"api-access-log-no-personal-data"},
    ),
    ("key not rotated", set_prop("DataKey", "EnableKeyRotation", False), {"kms-keys-rotated"}),
    (
        "bucket with S3-managed keys",
        drop_prop("DeploymentBucket", "BucketEncryption"),
        {"buckets-encrypted-with-cmk"},
    ),
    (
        "bucket answering without TLS",
        lambda t: resources(t).pop("DeploymentBucketPolicy"),
        {"buckets-private-tls-only"},
    ),
    ("topic without KMS", drop_prop("AlertTopic", "KmsMasterKeyId"), {"topics-encrypted-with-cmk"}),
    (
        "audit trail not locked",
        drop_prop("AuditTrail", "ObjectLockConfiguration"),
        {"audit-bucket-object-lock"},
    ),
    ("no latency alarm", lambda t: resources(t).pop("Alarm5"), {"alarms-cover-failures"}),
    ("no dead-letter queue alarm", lambda t: resources(t).pop("Alarm4"), {"alarms-cover-failures"}),
    ("alarm notifying no one", set_prop("Alarm0", "AlarmActions", []), {"alarms-notify-alert-topic"}),
    # Private networking and the edge (docs/networking.md).
    (
        "function outside the vpc",
        drop_prop("WorkerLambdaFunction", "VpcConfig"),
        {"network-functions-in-private-subnets"},
    ),
    (
        "subnets in one zone",
        set_prop("SubnetB", "AvailabilityZone", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        {"network-functions-in-private-subnets"},
    ),
    ("nat route added", lambda t: resources(t).update(NAT_ROUTE), {"network-no-route-to-the-internet"}),
    (
        "internet gateway attached",
        lambda t: resources(t).update(INTERNET_GATEWAY),
        {"network-no-route-to-the-internet"},
    ),
    (
        "endpoint policy *",
        lambda t: endpoint_statement(t, "SqsEndpoint").update(Action="*", Resource="*"),
        {"network-endpoint-policies-scoped"},
    ),
    (
        "endpoint open to every account",
        lambda t: endpoint_statement(t, "DynamoDbEndpoint").pop("Condition"),
        {"network-endpoint-policies-scoped"},
    ),
    (
        "endpoint without a policy",
        drop_prop("SqsEndpoint", "PolicyDocument"),
        {"network-endpoint-policies-scoped"},
    ),
    (
        "security group open beyond https",
        lambda t: props(t, "FunctionSecurityGroup")["SecurityGroupEgress"].append(
            {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}
        ),
        {"network-https-only"},
    ),
    ("waf detached", lambda t: distribution(t).pop("WebACLId"), {"edge-waf-attached"}),
    (
        "regional web acl",
        lambda t: distribution(t).update(
            WebACLId=WEB_ACL.replace("us-east-1:111111111111:global", "eu-west-1:111111111111:regional")
        ),
        {"edge-waf-attached"},
    ),
    (
        "origin not the stack's api",
        lambda t: distribution(t)["Origins"][0].update(DomainName="origin.example.com"),
        {"edge-waf-attached"},
    ),
    (
        "tls 1.0 for viewers",
        lambda t: distribution(t)["ViewerCertificate"].update(MinimumProtocolVersion="TLSv1"),
        {"edge-tls-and-headers"},
    ),
    (
        "plain http allowed",
        lambda t: distribution(t)["DefaultCacheBehavior"].update(ViewerProtocolPolicy="allow-all"),
        {"edge-tls-and-headers"},
    ),
    ("no hsts", lambda t: security_headers(t).pop("StrictTransportSecurity"), {"edge-tls-and-headers"}),
    (
        "publisher without events:source",
        add_statement("WorkerRole", Sid="Publish", Action="events:PutEvents", Resource=getatt("EventBus")),
        {"iam-publishers-name-their-sources"},
    ),
    (
        "publisher of any source under the prefix",
        lambda t: publish_statement(t)["Condition"]["StringEquals"].update(
            {"events:source": [f"{config.EVENT_SOURCE_PREFIX}*"]}
        ),
        {"iam-publishers-name-their-sources"},
    ),
    (
        "publisher of another stack's source",
        lambda t: publish_statement(t)["Condition"]["StringEquals"]["events:source"].append("aws.partner"),
        {"iam-publishers-name-their-sources"},
    ),
    (
        "origin header removed",
        lambda t: distribution(t)["Origins"][0].pop("OriginCustomHeaders"),
        {"edge-origin-closed"},
    ),
    (
        "origin header value in plain text",
        lambda t: distribution(t)["Origins"][0]["OriginCustomHeaders"][0].update(HeaderValue="let-me-in"),
        {"edge-origin-closed"},
    ),
    (
        "api does not check the origin header",
        lambda t: props(t, "ApiLambdaFunction")["Environment"]["Variables"].pop("ORIGIN_VERIFY_HEADER"),
        {"edge-origin-closed"},
    ),
    ("api checks another header", set_env("ORIGIN_VERIFY_HEADER", "x-other"), {"edge-origin-closed"}),
]
# Geo restriction: only where the jurisdiction names its countries (manifest.yaml edge_countries).
if config.EDGE_COUNTRIES:
    WEAKENED += [
        (
            "geo restriction removed",
            lambda t: distribution(t)["Restrictions"].update(GeoRestriction={"RestrictionType": "none"}),
            {"edge-geo-restriction"},
        ),
        (
            "geo blacklist instead",
            lambda t: distribution(t)["Restrictions"]["GeoRestriction"].update(RestrictionType="blacklist"),
            {"edge-geo-restriction"},
        ),
    ]
if config.EDGE_COUNTRIES and not config.EDGE_COUNTRIES_LISTED_BY_OPERATOR:
    WEAKENED.append(
        (
            "geo admits another country",
            lambda t: distribution(t)["Restrictions"]["GeoRestriction"]["Locations"].append("ZZ"),
            {"edge-geo-restriction"},
        )
    )


def publish_statement(template: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in statements(template, "ApiRole") if s.get("Sid") == "PublishDomainEvents")


def distribution(template: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = props(template, "ApiDistribution")["DistributionConfig"]
    return found


def security_headers(template: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = props(template, "EdgeSecurityHeaders")["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    return found


def endpoint_statement(template: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
    found: dict[str, Any] = props(template, endpoint_id)["PolicyDocument"]["Statement"][0]
    return found


NAT_ROUTE = {
    "NatGateway": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "SubnetA"}}},
    "RouteOut": {
        "Type": "AWS::EC2::Route",
        "Properties": {
            "RouteTableId": {"Ref": "RouteTable"},
            "DestinationCidrBlock": "0.0.0.0/0",
            "NatGatewayId": {"Ref": "NatGateway"},
        },
    },
}
INTERNET_GATEWAY = {
    "InternetGateway": {"Type": "AWS::EC2::InternetGateway", "Properties": {}},
    "InternetGatewayAttachment": {
        "Type": "AWS::EC2::VPCGatewayAttachment",
        "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "InternetGateway"}},
    },
}


@pytest.mark.parametrize(
    ("weaken", "expected"), [case[1:] for case in WEAKENED], ids=[case[0] for case in WEAKENED]
)
def test_weakened_default_fails_the_control_that_guards_it(
    weaken: Callable[[dict[str, Any]], None], expected: set[str], tmp_path: Path
) -> None:
    template = packaged_like()
    weaken(template)
    result = audit(template, tmp_path)
    assert failed(result) == expected
    printed = table(result)
    for control_id in expected:
        assert f"FAIL  {control_id}" in printed


NETWORK_CONTROLS = {
    "network-functions-in-private-subnets",
    "network-endpoint-policies-scoped",
    "network-https-only",
}
EDGE_CONTROLS = {"edge-waf-attached", "edge-origin-closed", "edge-geo-restriction", "edge-tls-and-headers"}


def test_a_stage_without_private_networking_or_edge_skips_their_controls_naming_the_param(
    tmp_path: Path,
) -> None:
    template = packaged_like()
    for logical_id in [*private_network(), *edge()]:
        resources(template).pop(logical_id)
    for function_id in ("ApiLambdaFunction", "WorkerLambdaFunction"):
        props(template, function_id).pop("VpcConfig")

    result = audit(template, tmp_path)

    assert failed(result) == set()
    skipped = {f.control.id: f.outcome.summary for f in result.findings if f.outcome.status is Status.SKIP}
    assert set(skipped) == SCANNERS | NETWORK_CONTROLS | EDGE_CONTROLS | HYBRID_NOT_APPLICABLE
    assert all("privateNetworking: false" in skipped[control] for control in NETWORK_CONTROLS)
    assert all("edge: false" in skipped[control] for control in EDGE_CONTROLS)
    assert status(result, "network-no-route-to-the-internet") is Status.PASS


def test_a_nat_route_fails_even_on_a_stage_without_private_networking(tmp_path: Path) -> None:
    template = packaged_like()
    for logical_id in private_network():
        resources(template).pop(logical_id)
    resources(template).update(NAT_ROUTE)

    assert "network-no-route-to-the-internet" in failed(audit(template, tmp_path))


def test_conditioned_off_vpc_config_counts_as_outside_the_vpc(tmp_path: Path) -> None:
    template = packaged_like()
    template["Conditions"]["PrivateNetworking"] = {"Fn::Equals": [False, True]}
    network = {"Fn::If": ["PrivateNetworking", {"Ref": "FunctionSecurityGroup"}, {"Ref": "AWS::NoValue"}]}
    props(template, "WorkerLambdaFunction")["VpcConfig"]["SecurityGroupIds"] = [network]

    result = audit(template, tmp_path)

    assert failed(result) == {"network-functions-in-private-subnets"}


def with_a_bonus_granting_worker(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The stack with WorkerLambdaFunction granting bonuses into a wallet table, as serverless.yml's
    bonus_grant_iam lets it: PutItem and UpdateItem in TransactWriteItems, on a grant's attributes."""
    monkeypatch.setattr(config, "BONUS_GRANTING_FUNCTIONS", ("WorkerLambdaFunction",))
    # The wallet table below is this test's own: in the hybrid mode (us-nj) a hosted wallet's table would
    # fail no-wagering-function too, which is not what these tests are about.
    monkeypatch.setattr(config, "WAGERING_MODULES", ())
    template = packaged_like()
    resources(template)["WalletTable"] = copy.deepcopy(resources(template)["LedgerTable"])
    transaction = {"ForAnyValue:StringEquals": {"dynamodb:EnclosingOperation": ["TransactWriteItems"]}}
    statements(template, "WorkerRole").extend(
        [
            {
                "Sid": "BonusGrantReads",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem"],
                "Resource": getatt("WalletTable"),
            },
            {
                "Sid": "BonusGrantWrites",
                "Effect": "Allow",
                "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
                "Resource": getatt("WalletTable"),
                "Condition": {
                    **transaction,
                    "ForAllValues:StringEquals": {
                        "dynamodb:Attributes": sorted(config.BONUS_GRANT_ATTRIBUTES),
                    },
                },
            },
            {
                "Sid": "BonusGrantExclusionCheck",
                "Effect": "Allow",
                "Action": "dynamodb:ConditionCheckItem",
                "Resource": getatt("WalletTable"),
                "Condition": transaction,
            },
        ]
    )
    return template


def grant_writes(template: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in statements(template, "WorkerRole") if s.get("Sid") == "BonusGrantWrites")


def test_a_bonus_granting_worker_scoped_to_a_grants_writes_passes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = audit(with_a_bonus_granting_worker(monkeypatch), tmp_path)

    assert failed(result) == set()
    assert status(result, "iam-bonus-grants-scoped") is Status.PASS


def test_without_a_bonus_granting_worker_the_control_passes_saying_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(config, "BONUS_GRANTING_FUNCTIONS", ())

    result = audit(packaged_like(), tmp_path)

    finding = next(f for f in result.findings if f.control.id == "iam-bonus-grants-scoped")
    assert finding.outcome.status is Status.PASS
    assert "no function of this stack grants bonuses" in finding.outcome.summary


BONUS_GRANT_WEAKENINGS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("any attribute", lambda t: grant_writes(t)["Condition"].pop("ForAllValues:StringEquals")),
    ("writes outside a transaction", lambda t: grant_writes(t)["Condition"].pop("ForAnyValue:StringEquals")),
    (
        "the protection's attributes",
        lambda t: grant_writes(t)["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"].append(
            "blocked_until"
        ),
    ),
    ("deletes", lambda t: grant_writes(t).update(Action=["dynamodb:PutItem", "dynamodb:DeleteItem"])),
    (
        "a second, unconditioned write",
        add_statement("WorkerRole", Action="dynamodb:UpdateItem", Resource=getatt("WalletTable")),
    ),
]


@pytest.mark.parametrize(
    "weaken", [w[1] for w in BONUS_GRANT_WEAKENINGS], ids=[w[0] for w in BONUS_GRANT_WEAKENINGS]
)
def test_a_bonus_granting_worker_that_may_write_more_than_a_grant_fails(
    weaken: Callable[[dict[str, Any]], None], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    template = with_a_bonus_granting_worker(monkeypatch)
    weaken(template)

    result = audit(template, tmp_path)

    assert failed(result) == {"iam-bonus-grants-scoped"}
    assert "FAIL  iam-bonus-grants-scoped" in table(result)


def with_audit_bucket(template: dict[str, Any], audit_trail: dict[str, Any]) -> dict[str, Any]:
    resources(template)["AuditTrail"] = audit_trail
    return template


def without(template: dict[str, Any], kind: str) -> dict[str, Any]:
    """The template without resources of this type (a default removed)."""
    for logical_id in [lid for lid, r in resources(template).items() if r["Type"] == kind]:
        del resources(template)[logical_id]
    return template


def test_a_stack_without_an_audit_bucket_fails(tmp_path: Path) -> None:
    template = packaged_like()
    del resources(template)["AuditTrail"], resources(template)["AuditTrailPolicy"]
    finding = next(
        f for f in audit(template, tmp_path).findings if f.control.id == "audit-bucket-object-lock"
    )
    assert finding.outcome.status is Status.FAIL


def test_a_stack_without_alarms_fails_both_alarm_controls(tmp_path: Path) -> None:
    result = audit(without(packaged_like(), "AWS::CloudWatch::Alarm"), tmp_path)
    for control_id in ("alarms-cover-failures", "alarms-notify-alert-topic"):
        finding = next(f for f in result.findings if f.control.id == control_id)
        assert finding.outcome.status is Status.FAIL


def test_audit_bucket_without_object_lock_fails(tmp_path: Path) -> None:
    result = audit(with_audit_bucket(packaged_like(), audit_bucket()), tmp_path)
    assert failed(result) == {"audit-bucket-object-lock"}


@pytest.mark.parametrize(
    ("mode", "years"),
    [("GOVERNANCE", config.RECORDS_RETENTION_YEARS), ("COMPLIANCE", config.RECORDS_RETENTION_YEARS - 1)],
)
def test_audit_bucket_lock_must_be_compliance_for_the_records_retention(
    mode: str, years: int, tmp_path: Path
) -> None:
    template = with_audit_bucket(packaged_like(), audit_bucket(**object_lock(mode, years)))
    assert failed(audit(template, tmp_path, stage="prod")) == {"audit-bucket-object-lock"}


def test_a_dev_stage_may_choose_a_short_governance_lock_and_the_report_says_so(tmp_path: Path) -> None:
    governance = audit_bucket(**object_lock("GOVERNANCE", 1))
    result = audit(with_audit_bucket(packaged_like(), governance), tmp_path, stage="dev")
    finding = next(f for f in result.findings if f.control.id == "audit-bucket-object-lock")
    assert finding.outcome.status is Status.PASS
    notes = " ".join(finding.outcome.notes)
    assert "GOVERNANCE" in notes
    assert "params.dev.auditArchiveRetention" in notes
    # Object Lock itself stays required on every stage.
    assert failed(audit(with_audit_bucket(packaged_like(), audit_bucket()), tmp_path, stage="dev")) == {
        "audit-bucket-object-lock"
    }


def test_tagged_audit_bucket_is_the_one_checked(tmp_path: Path) -> None:
    template = packaged_like()
    access_logs = {"AuditAccessLogs": bucket(), "AuditAccessLogsPolicy": tls_only("AuditAccessLogs")}
    resources(template).update(access_logs)  # named like the audit trail, but not tagged as it
    assert status(audit(template, tmp_path), "audit-bucket-object-lock") is Status.PASS


def test_resources_in_another_region_fail_residency(tmp_path: Path) -> None:
    region = region_block(PROJECT_ROOT / "serverless.yml")["name"]
    elsewhere = "eu-north-1" if region != "eu-north-1" else "eu-west-1"
    template = packaged_like()
    props(template, "ApiLambdaFunction")["Layers"] = [
        f"arn:aws:lambda:{elsewhere}:017000801446:layer:Tools:1"
    ]
    assert failed(audit(template, tmp_path)) == {"region-residency"}


def test_missing_scanners_are_skipped_with_how_to_install_them(tmp_path: Path) -> None:
    for finding in audit(packaged_like(), tmp_path).findings:
        if finding.control.id in SCANNERS:
            assert finding.outcome.status is Status.SKIP
            assert "make audit installs it" in finding.outcome.summary


def test_every_control_says_where_it_is_enforced_and_what_it_serves() -> None:
    assert len({control.id for control in CONTROLS}) == len(CONTROLS)
    for control in CONTROLS:
        assert control.enforced_by, control.id
        assert control.remedy, control.id
        assert {"uk-gc", "mga", "us-nj", GLI_19} <= set(control.serves), control.id


def test_docs_describe_every_control() -> None:
    guide = (PROJECT_ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    for control in CONTROLS:
        assert f"| `{control.id}` |" in guide, f"docs/audit.md does not describe {control.id}"


def run_main(
    template: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.chdir(PROJECT_ROOT)
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    reports = tmp_path / "reports"
    code = main(
        [
            "--template",
            str(path),
            "--scan-bin",
            str(tmp_path / "no-scanners"),
            "--json",
            str(reports / "controls.json"),
            "--markdown",
            str(reports / "controls.md"),
        ]
    )
    return code, (reports / "controls.json").read_text(), (reports / "controls.md").read_text()


def test_audit_exits_zero_and_writes_the_same_report_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_main(packaged_like(), tmp_path, monkeypatch)
    second = run_main(packaged_like(), tmp_path, monkeypatch)
    assert first == second
    code, json_report, markdown_report = first
    assert code == 0
    document = json.loads(json_report)
    assert document["summary"]["fail"] == 0
    assert [c["id"] for c in document["controls"]] == [control.id for control in CONTROLS]
    for control in CONTROLS:
        assert f"`{control.id}`" in markdown_report
    assert str(tmp_path) not in json_report + markdown_report


def test_audit_exits_non_zero_naming_the_failed_control(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    template = packaged_like()
    drop_prop("WorkQueue", "RedrivePolicy")(template)
    code, json_report, markdown_report = run_main(template, tmp_path, monkeypatch)
    assert code == 1
    assert "FAIL  queues-have-dlq" in capsys.readouterr().out
    assert "### `queues-have-dlq`" in markdown_report
    assert json.loads(json_report)["summary"]["fail"] == 1


def test_audit_without_a_packaged_template_says_to_package_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    assert main(["--template", str(tmp_path / "missing.json")]) == 2
    assert "make package" in capsys.readouterr().err


def test_report_shows_this_jurisdiction_and_gli_19(tmp_path: Path) -> None:
    report = markdown(audit(packaged_like(), tmp_path))
    assert "GLI-19: " in report
    other = {"uk-gc": "UKGC RTS", "mga": "MGA ", "us-nj": "N.J.A.C."}
    for jurisdiction, marker in other.items():
        assert (marker in report) == (jurisdiction == regulation.JURISDICTION), jurisdiction
    assert (
        json.loads(as_json(audit(copy.deepcopy(packaged_like()), tmp_path)))["jurisdiction"]
        == regulation.JURISDICTION
    )


def test_every_control_cites_its_clauses_with_https_links() -> None:
    for control in CONTROLS:
        for name, cited in control.serves.items():
            assert cited.clause.strip(), (control.id, name)
            assert cited.url.startswith("https://"), (control.id, name)
        assert control.rule is None or control.rule in regulation.SOURCES, control.id


def test_the_report_cites_this_jurisdictions_clause_next_to_each_control(tmp_path: Path) -> None:
    result = audit(packaged_like(), tmp_path)
    printed = table(result, verbose=True).splitlines()
    report = json.loads(as_json(result))

    for finding in result.findings:
        line = next(i for i, text in enumerate(printed) if text[6:].startswith(f"{finding.control.id} "))
        assert printed[line + 1].strip().startswith("cites: "), finding.control.id
    for control in report["controls"]:
        assert control["source"].get("url", "https://").startswith("https://"), control["id"]
        assert control["source"].get("clause") or control["source"].get("policy"), control["id"]
    residency = next(control for control in report["controls"] if control["id"] == "region-residency")
    cited = regulation.SOURCES["residency"]
    expected = cited.clause if isinstance(cited, Citation) else cited
    assert expected in (residency["source"].get("clause") or residency["source"]["policy"])


def test_every_stage_is_audited_and_a_finding_of_one_stage_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    prod = packaged_like()
    set_prop("HttpApi", "CorsConfiguration", {"AllowOrigins": ["*"]})(prod)
    for stage, template in (("dev", packaged_like()), ("prod", prod)):
        (tmp_path / f"{stage}.json").write_text(json.dumps(template), encoding="utf-8")
    report = tmp_path / "controls.json"
    arguments = ["--stage", "dev", "--stage", "prod", "--template", str(tmp_path / "{stage}.json")]
    code = main([*arguments, "--scan-bin", str(tmp_path / "no-scanners"), "--json", str(report)])
    assert code == 1
    assert "FAIL  cors-not-wildcard" in capsys.readouterr().out
    controls = {c["id"]: c for c in json.loads(report.read_text())["controls"]}
    assert controls["cors-not-wildcard"]["offenders"] == ['[prod] HttpApi: AllowOrigins ["*"]']
    assert {c["status"] for i, c in controls.items() if i != "cors-not-wildcard"} <= {"pass", "skip"}


def test_the_stages_to_audit_are_the_params_of_serverless_yml(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    assert main(["--list-stages"]) == 0
    assert capsys.readouterr().out.split() == ["dev", "prod"]


def three_outcomes() -> Audit:
    """One passed control with an accepted exception, one skipped, one failed."""
    passed, skipped, broken = CONTROLS[:3]
    return Audit(
        "static",
        "dev",
        [
            Finding(passed, Outcome(Status.PASS, "all good", (), ("checkov CKV_X skipped: the reason",))),
            Finding(skipped, Outcome(Status.SKIP, "nothing here to check")),
            Finding(broken, Outcome(Status.FAIL, "1 finding(s)", ("WorkQueue: no redrive",))),
        ],
    )


def test_printed_report_gives_the_totals_first_and_accepted_exceptions_only_when_verbose() -> None:
    result = three_outcomes()
    totals = "3 controls: 1 passed, 1 failed, 1 skipped; 1 exceptions accepted with their reason"
    short = table(result).splitlines()
    assert short[1] == totals, short
    assert not any("accepted: checkov CKV_X" in line for line in short)
    assert any("make audit VERBOSE=1" in line for line in short)
    # A failure shows its resources and fix either way; a skip its reason on its one line.
    assert any(line.strip() == "- WorkQueue: no redrive" for line in short)
    assert any(line.strip().startswith("fix: ") for line in short)
    assert f"SKIP  {CONTROLS[1].id}" in "\n".join(short)
    assert "nothing here to check" in "\n".join(short)
    verbose = table(result, verbose=True)
    assert "accepted: checkov CKV_X skipped: the reason" in verbose
    assert verbose.splitlines()[1] == totals


def test_audit_v_prints_the_accepted_exceptions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    path = tmp_path / "template.json"
    path.write_text(json.dumps(packaged_like()), encoding="utf-8")
    args = ["--template", str(path), "--scan-bin", str(tmp_path / "no-scanners")]
    main(args)
    short = capsys.readouterr().out
    main([*args, "-v"])
    verbose = capsys.readouterr().out
    assert "accepted: " not in short
    assert "accepted: " in verbose
    assert short.splitlines()[1].startswith(f"{len(CONTROLS)} controls: ")


def test_make_audit_passes_verbose_to_the_report() -> None:
    makefile = (PROJECT_ROOT / "aws.mk").read_text(encoding="utf-8")
    assert "$(if $(VERBOSE),-v)" in makefile
    assert "VERBOSE=1" in (PROJECT_ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
