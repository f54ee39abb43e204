"""The project's own checks of the packaged template: what checkov does not know about this stack.

Each check takes the StaticContext and returns an Outcome naming every offending resource.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.settings import default_settings

from tools.audit import config
from tools.audit.model import PRODUCTION_STAGE, Outcome, StaticContext
from tools.audit.stack import Resource, Stack, as_list, strings
from tools.residency import problems, region_block

FUNCTION = "AWS::Lambda::Function"
ROLE = "AWS::IAM::Role"
QUEUE = "AWS::SQS::Queue"
TABLE = "AWS::DynamoDB::Table"
LOG_GROUP = "AWS::Logs::LogGroup"
BUCKET = "AWS::S3::Bucket"
TOPIC = "AWS::SNS::Topic"
ALARM = "AWS::CloudWatch::Alarm"
HTTP_API = "AWS::ApiGatewayV2::Api"
STAGE = "AWS::ApiGatewayV2::Stage"

# Keys under which a resource names where its failed messages or events go.
DEAD_LETTER_KEYS = {"RedrivePolicy", "DeadLetterConfig", "DestinationConfig", "OnFailure"}

# Environment variables: a secret-like name must name where the secret lives, not hold it. The
# project's own rule, next to detect-secrets' by-value plugins: a key's name is what says it is one
# when its value is short or plain (JWT_SIGNING_KEY: plaintext).
SECRET_NAME = re.compile(
    r"SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|SIGNING|HMAC|SALT|PEPPER"
    r"|(?:^|_)KEYS?$",
    re.I,
)
REFERENCE_NAME = re.compile(r"_(ARN|NAME|PARAMETER|PARAM|PATH|ID|URL|URI)$", re.I)
SECRET_VALUE = re.compile(
    r"AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\b[sr]k_live_[0-9A-Za-z]{8,}"  # payment provider live keys
    r"|\bgh[pousr]_[0-9A-Za-z]{20,}"
    r"|\bxox[abpr]-[0-9A-Za-z-]{10,}"
    r"|\beyJ[0-9A-Za-z_-]{10,}\.eyJ"  # a signed JWT
    r"|://[^/\s:@]+:[^/\s@]+@"  # credentials in a URL
)
# CloudFormation dynamic references that would put a secret's value into the function configuration.
SECRET_REFERENCES = ("resolve:secretsmanager:", "resolve:ssm-secure:")

# Access-log fields that identify a person.
PERSONAL_LOG_FIELDS = (
    "$context.identity.sourceIp",
    "$context.identity.userAgent",
    "$context.identity.user",
    "$context.identity.caller",
    "$context.identity.cognito",
    "$context.authorizer.claims",
    "$context.authorizer.principalId",
)

ARN_REGION = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):")


def _checked(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'} checked"


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


# IAM ------------------------------------------------------------------------------------------


def identity_statements(stack: Stack) -> Iterator[tuple[str, dict[str, Any]]]:
    """(owner, statement) for every statement of the stack's identity policies.

    Resource policies (KMS key policies, queue and bucket policies) are not identity policies: a key
    policy's Resource "*" means the key itself.
    """
    for logical_id, role in stack.of_type(ROLE).items():
        for policy in as_list(Stack.props(role).get("Policies")):
            for statement in as_list((policy.get("PolicyDocument") or {}).get("Statement")):
                yield logical_id, statement
    policy_types = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")
    for logical_id, policy in stack.of_type(*policy_types).items():
        for statement in as_list((Stack.props(policy).get("PolicyDocument") or {}).get("Statement")):
            yield logical_id, statement


def _label(owner: str, statement: dict[str, Any]) -> str:
    sid = statement.get("Sid")
    return f"{owner} (Sid {sid})" if sid else f"{owner} (statement without Sid)"


def _allows(statement: dict[str, Any]) -> bool:
    return statement.get("Effect") == "Allow"


def iam_no_wildcard_actions(context: StaticContext) -> Outcome:
    stack = context.stack
    offenders = []
    statements = list(identity_statements(stack))
    for owner, statement in statements:
        if not _allows(statement):
            continue
        if "NotAction" in statement:
            offenders.append(f"{_label(owner, statement)}: NotAction allows every other action")
        wild = [a for a in as_list(statement.get("Action")) if isinstance(a, str) and "*" in a]
        if wild:
            offenders.append(f"{_label(owner, statement)}: Action {', '.join(wild)}")
    managed_types = ("AWS::IAM::ManagedPolicy",)
    for logical_id, role in stack.of_type(ROLE).items():
        for arn in as_list(Stack.props(role).get("ManagedPolicyArns")):
            if stack.target_of_type(arn, *managed_types) is None:
                offenders.append(
                    f"{logical_id}: attaches managed policy {_dump(arn)}, whose actions this stack "
                    "does not show"
                )
    return Outcome.verdict(offenders, _checked(len(statements), "identity-policy statement"))


def iam_wildcard_resources_justified(context: StaticContext) -> Outcome:
    offenders, notes = [], []
    statements = list(identity_statements(context.stack))
    for owner, statement in statements:
        if not _allows(statement):
            continue
        label = _label(owner, statement)
        if "NotResource" in statement:
            offenders.append(f"{label}: NotResource allows every other resource")
        if "*" not in as_list(statement.get("Resource")):
            continue
        grant = config.WILDCARD_RESOURCE_GRANTS.get(str(statement.get("Sid")))
        actions = {a for a in as_list(statement.get("Action")) if isinstance(a, str)}
        if grant is None:
            offenders.append(
                f"{label}: Resource * without a Sid from WILDCARD_RESOURCE_GRANTS in tools/audit/config.py"
            )
        elif not actions <= grant.actions:
            extra = ", ".join(sorted(actions - grant.actions))
            offenders.append(f"{label}: Resource * for {extra}, which Sid {statement['Sid']} does not cover")
        else:
            notes.append(f"{label}: Resource * because {grant.reason}")
    return Outcome.verdict(offenders, _checked(len(statements), "identity-policy statement"), notes)


def _trusts_lambda(role: Resource) -> bool:
    document = Stack.props(role).get("AssumeRolePolicyDocument") or {}
    return any(
        "lambda.amazonaws.com" in strings(s.get("Principal")) for s in as_list(document.get("Statement"))
    )


def iam_one_role_per_function(context: StaticContext) -> Outcome:
    stack = context.stack
    functions = stack.of_type(FUNCTION)
    if not functions:
        return Outcome.skip("this stack has no Lambda function")
    offenders: list[str] = []
    users: dict[str, str] = {}
    for logical_id, function in functions.items():
        role = stack.target_of_type(Stack.props(function).get("Role"), ROLE)
        if role is None:
            offenders.append(f"{logical_id}: its role is not a role of this stack")
            continue
        if role in users:
            offenders.append(f"{logical_id}: shares role {role} with {users[role]}")
        else:
            users[role] = logical_id
    for logical_id, role_resource in stack.of_type(ROLE).items():
        if _trusts_lambda(role_resource) and logical_id not in users:
            offenders.append(f"{logical_id}: a Lambda role no function uses (spare privileges)")
    return Outcome.verdict(offenders, f"{len(functions)} function(s), {len(users)} role(s)")


# Lambda ---------------------------------------------------------------------------------------


def lambda_tracing_active(context: StaticContext) -> Outcome:
    functions = context.stack.of_type(FUNCTION)
    if not functions:
        return Outcome.skip("this stack has no Lambda function")
    offenders = [
        f"{lid}: TracingConfig.Mode is {(Stack.props(f).get('TracingConfig') or {}).get('Mode', 'not set')}"
        for lid, f in functions.items()
        if (Stack.props(f).get("TracingConfig") or {}).get("Mode") != "Active"
    ]
    return Outcome.verdict(offenders, _checked(len(functions), "function"))


def lambda_env_encrypted(context: StaticContext) -> Outcome:
    stack = context.stack
    functions = stack.of_type(FUNCTION)
    if not functions:
        return Outcome.skip("this stack has no Lambda function")
    offenders = []
    for logical_id, function in functions.items():
        problem = stack.key_problem(Stack.props(function).get("KmsKeyArn"))
        if problem:
            offenders.append(f"{logical_id}: environment variables: {problem}")
    return Outcome.verdict(offenders, _checked(len(functions), "function"))


def _environment(function: Resource) -> dict[str, Any]:
    variables: dict[str, Any] = (Stack.props(function).get("Environment") or {}).get("Variables") or {}
    return variables


def detected_secrets(lines: list[str]) -> dict[int, list[str]]:
    """detect-secrets (its default plugins and filters) on these lines of a .env file: types by line.

    The maintained detector finds secrets by their value (entropy, and the formats of AWS, payment
    provider, GitHub, Slack, JWT and private keys) whatever the variable is called.
    """
    found: dict[int, list[str]] = {}
    with tempfile.TemporaryDirectory() as folder, default_settings():
        path = Path(folder) / "environment.env"
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        collection = SecretsCollection()
        collection.scan_file(str(path))
        for _, secret in collection:
            found.setdefault(secret.line_number - 1, []).append(str(secret.type))
    return {index: sorted(set(types)) for index, types in found.items()}


def lambda_no_plain_secrets(context: StaticContext) -> Outcome:
    """No secret in a function's environment: by detect-secrets on the values, and by name."""
    functions = context.stack.of_type(FUNCTION)
    if not functions:
        return Outcome.skip("this stack has no Lambda function")
    variables = [
        (logical_id, name, value)
        for logical_id, function in functions.items()
        for name, value in sorted(_environment(function).items())
    ]
    # Each string of a value is a line `NAME="text"` (a Ref's target is a logical id: low entropy).
    lines = [
        (index, f"{name}={json.dumps(text)}")
        for index, (_, name, value) in enumerate(variables)
        for text in strings(value)
    ]
    by_line = detected_secrets([line for _, line in lines])
    by_value: dict[int, set[str]] = {}
    for line_index, types in by_line.items():
        by_value.setdefault(lines[line_index][0], set()).update(types)
    offenders = []
    for index, (logical_id, name, value) in enumerate(variables):
        if any(marker in _dump(value) for marker in SECRET_REFERENCES):
            offenders.append(f"{logical_id}: {name} resolves a secret into the function configuration")
            continue
        reasons = []
        if index in by_value:
            reasons.append(f"detect-secrets: {', '.join(sorted(by_value[index]))}")
        if any(SECRET_VALUE.search(item) for item in strings(value)):
            reasons.append("its value looks like a credential")
        if SECRET_NAME.search(name) and not REFERENCE_NAME.search(name):
            reasons.append("its name says it is a secret")
        if reasons:
            offenders.append(
                f"{logical_id}: {name} holds a secret ({'; '.join(reasons)}); keep it in the parameter "
                f"store and pass its name ({name}_PARAMETER)"
            )
    return Outcome.verdict(offenders, _checked(len(variables), "environment variable"))


def _triggers(stack: Stack, function_id: str) -> Iterator[tuple[str, Resource]]:
    """Resources of the stack that invoke the function: event source mappings, integrations, rules."""
    for logical_id, resource in stack.resources.items():
        props = Stack.props(resource)
        kind = resource.get("Type")
        if kind == "AWS::Lambda::EventSourceMapping":
            named = stack.references(props.get("FunctionName"))
        elif kind == "AWS::ApiGatewayV2::Integration":
            named = stack.references(props.get("IntegrationUri"))
        elif kind == "AWS::Events::Rule":
            named = set().union(*(stack.references(t.get("Arn")) for t in as_list(props.get("Targets"))))
        elif kind in ("AWS::Scheduler::Schedule", "AWS::SNS::Subscription", "AWS::Lambda::Url"):
            named = stack.references(props)
        else:
            continue
        if function_id in named:
            yield logical_id, resource


def _throttled_stage(stack: Stack, api_id: str | None) -> bool:
    for stage in stack.of_type(STAGE).values():
        props = Stack.props(stage)
        settings = props.get("DefaultRouteSettings") or {}
        if stack.target(props.get("ApiId")) == api_id and all(
            isinstance(settings.get(key), int | float) and settings[key] > 0
            for key in ("ThrottlingRateLimit", "ThrottlingBurstLimit")
        ):
            return True
    return False


def lambda_concurrency_bounded(context: StaticContext) -> Outcome:
    """Each function has a reserved concurrency, or only triggers that cap how many run at once."""
    stack = context.stack
    functions = stack.of_type(FUNCTION)
    if not functions:
        return Outcome.skip("this stack has no Lambda function")
    offenders = []
    for logical_id, function in functions.items():
        if isinstance(Stack.props(function).get("ReservedConcurrentExecutions"), int):
            continue
        triggers = list(_triggers(stack, logical_id))
        if not triggers:
            offenders.append(
                f"{logical_id}: no reserved concurrency and no trigger in this stack that caps it"
            )
        for trigger_id, trigger in triggers:
            props = Stack.props(trigger)
            kind = trigger["Type"]
            if kind == "AWS::Lambda::EventSourceMapping":
                source = stack.target(props.get("EventSourceArn"))
                is_queue = source is not None and stack.resources[source].get("Type") == QUEUE
                if is_queue and not (props.get("ScalingConfig") or {}).get("MaximumConcurrency"):
                    offenders.append(
                        f"{logical_id}: SQS trigger {trigger_id} has no ScalingConfig.MaximumConcurrency"
                    )
            elif kind == "AWS::ApiGatewayV2::Integration":
                if not _throttled_stage(stack, stack.target(props.get("ApiId"))):
                    offenders.append(
                        f"{logical_id}: HTTP API integration {trigger_id} has no throttled stage"
                    )
            elif kind == "AWS::Events::Rule":
                if not props.get("ScheduleExpression"):
                    offenders.append(
                        f"{logical_id}: invoked by event rule {trigger_id} with no concurrency cap"
                    )
            elif kind != "AWS::Scheduler::Schedule":
                offenders.append(f"{logical_id}: invoked by {trigger_id} ({kind}) with no concurrency cap")
    return Outcome.verdict(offenders, _checked(len(functions), "function"))


# Queues and events ----------------------------------------------------------------------------


def dead_letter_queues(stack: Stack) -> set[str]:
    """Queues some resource names as where its failed messages or events go."""
    found: set[str] = set()

    def visit(value: Any, inside: bool) -> None:
        if isinstance(value, dict):
            if inside:
                found.update(q for q in [stack.target_of_type(value, QUEUE)] if q)
            for key, item in value.items():
                visit(_parsed(item), inside or key in DEAD_LETTER_KEYS)
        elif isinstance(value, list):
            for item in value:
                visit(item, inside)

    for resource in stack.resources.values():
        visit(Stack.props(resource), False)
    return found


def _parsed(value: Any) -> Any:
    """A policy given as a JSON string, parsed; anything else as it is."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def queues_have_dlq(context: StaticContext) -> Outcome:
    stack = context.stack
    queues = stack.of_type(QUEUE)
    if not queues:
        return Outcome.skip("this stack has no SQS queue")
    dead_letter = dead_letter_queues(stack)
    offenders = []
    for logical_id, queue in queues.items():
        if logical_id in dead_letter:
            continue
        policy = _parsed(Stack.props(queue).get("RedrivePolicy")) or {}
        target = stack.target_of_type(policy.get("deadLetterTargetArn"), QUEUE)
        if target is None:
            offenders.append(f"{logical_id}: no RedrivePolicy to a dead-letter queue of this stack")
        elif not policy.get("maxReceiveCount"):
            offenders.append(f"{logical_id}: RedrivePolicy without maxReceiveCount")
    working = len(queues) - len(dead_letter & set(queues))
    return Outcome.verdict(offenders, f"{working} queue(s) and {len(dead_letter)} dead-letter queue(s)")


def event_targets_have_dlq(context: StaticContext) -> Outcome:
    """Targets of event-pattern rules keep what they could not deliver; schedules just run again."""
    rules = context.stack.of_type("AWS::Events::Rule")
    targets = [
        (lid, target)
        for lid, rule in rules.items()
        if not Stack.props(rule).get("ScheduleExpression")
        for target in as_list(Stack.props(rule).get("Targets"))
    ]
    if not targets:
        return Outcome.skip("this stack has no event-pattern rule target")
    offenders = [
        f"{lid}: target {target.get('Id')} has no DeadLetterConfig"
        for lid, target in targets
        if not (target.get("DeadLetterConfig") or {}).get("Arn")
    ]
    return Outcome.verdict(offenders, _checked(len(targets), "rule target"))


def _key_check(context: StaticContext, kind: str, field: str, noun: str, absent: str) -> Outcome:
    stack = context.stack
    resources = stack.of_type(kind)
    if not resources:
        return Outcome.skip(absent)
    offenders = []
    for logical_id, resource in resources.items():
        problem = stack.key_problem(Stack.props(resource).get(field))
        if problem:
            offenders.append(f"{logical_id}: {problem}")
    return Outcome.verdict(offenders, _checked(len(resources), noun))


def queues_encrypted(context: StaticContext) -> Outcome:
    return _key_check(context, QUEUE, "KmsMasterKeyId", "queue", "this stack has no SQS queue")


def topics_encrypted(context: StaticContext) -> Outcome:
    return _key_check(context, TOPIC, "KmsMasterKeyId", "topic", "this stack has no SNS topic")


# Tables ---------------------------------------------------------------------------------------


def tables_encrypted(context: StaticContext) -> Outcome:
    stack = context.stack
    tables = stack.of_type(TABLE)
    if not tables:
        return Outcome.skip("this stack has no DynamoDB table")
    offenders = []
    for logical_id, table in tables.items():
        sse = Stack.props(table).get("SSESpecification") or {}
        if sse.get("SSEEnabled") is not True or sse.get("SSEType") != "KMS":
            offenders.append(f"{logical_id}: SSESpecification is not SSEEnabled with SSEType KMS")
        else:
            problem = stack.key_problem(sse.get("KMSMasterKeyId"))
            if problem:
                offenders.append(f"{logical_id}: {problem}")
    return Outcome.verdict(offenders, _checked(len(tables), "table"))


def tables_point_in_time_recovery(context: StaticContext) -> Outcome:
    tables = context.stack.of_type(TABLE)
    if not tables:
        return Outcome.skip("this stack has no DynamoDB table")
    offenders = [
        f"{lid}: PointInTimeRecoveryEnabled is not true"
        for lid, table in tables.items()
        if (Stack.props(table).get("PointInTimeRecoverySpecification") or {}).get(
            "PointInTimeRecoveryEnabled"
        )
        is not True
    ]
    return Outcome.verdict(offenders, _checked(len(tables), "table"))


def tables_retained(context: StaticContext) -> Outcome:
    tables = context.stack.of_type(TABLE)
    if not tables:
        return Outcome.skip("this stack has no DynamoDB table")
    offenders = []
    for logical_id, table in tables.items():
        missing = [key for key in ("DeletionPolicy", "UpdateReplacePolicy") if table.get(key) != "Retain"]
        if Stack.props(table).get("DeletionProtectionEnabled") is not True:
            missing.append("DeletionProtectionEnabled")
        if missing:
            offenders.append(f"{logical_id}: {', '.join(missing)} not set to keep the table")
    return Outcome.verdict(offenders, _checked(len(tables), "table"))


# Logs -----------------------------------------------------------------------------------------


def _function_log_groups(stack: Stack) -> Iterator[str]:
    """Functions whose log group is not a resource of this stack (Lambda would make one unmanaged)."""
    names = {Stack.props(group).get("LogGroupName") for group in stack.of_type(LOG_GROUP).values()}
    for logical_id, function in stack.of_type(FUNCTION).items():
        props = Stack.props(function)
        configured = (props.get("LoggingConfig") or {}).get("LogGroup")
        if configured is not None:
            if stack.target_of_type(configured, LOG_GROUP) is None and configured not in names:
                yield logical_id
        elif (
            isinstance(props.get("FunctionName"), str) and f"/aws/lambda/{props['FunctionName']}" not in names
        ):
            yield logical_id


def logs_retention(context: StaticContext) -> Outcome:
    stack = context.stack
    groups = stack.of_type(LOG_GROUP)
    if not groups:
        return Outcome.skip("this stack has no log group")
    offenders = []
    for logical_id, group in groups.items():
        days = Stack.props(group).get("RetentionInDays")
        if not isinstance(days, int):
            offenders.append(f"{logical_id}: no RetentionInDays (logs kept forever, outside the policy)")
        elif days < config.LOG_RETENTION_DAYS:
            offenders.append(f"{logical_id}: RetentionInDays {days} < {config.LOG_RETENTION_DAYS}")
    offenders += [f"{lid}: its log group is not in this stack" for lid in _function_log_groups(stack)]
    return Outcome.verdict(
        offenders, f"{_checked(len(groups), 'log group')} against {config.LOG_RETENTION_DAYS} days"
    )


def logs_encrypted(context: StaticContext) -> Outcome:
    return _key_check(context, LOG_GROUP, "KmsKeyId", "log group", "this stack has no log group")


# HTTP API -------------------------------------------------------------------------------------


def cors_not_wildcard(context: StaticContext) -> Outcome:
    stack = context.stack
    offenders, checked = [], 0
    for logical_id, api in stack.of_type(HTTP_API, "AWS::Lambda::Url").items():
        origins = (Stack.props(api).get("CorsConfiguration") or Stack.props(api).get("Cors") or {}).get(
            "AllowOrigins"
        )
        checked += 1
        if any("*" in origin for origin in strings(origins)):
            offenders.append(f"{logical_id}: AllowOrigins {_dump(origins)}")
    for logical_id, function in stack.of_type(FUNCTION).items():
        variables = (Stack.props(function).get("Environment") or {}).get("Variables") or {}
        if "CORS_ALLOWED_ORIGINS" in variables:
            checked += 1
            if any("*" in origin for origin in strings(variables["CORS_ALLOWED_ORIGINS"])):
                offenders.append(f"{logical_id}: CORS_ALLOWED_ORIGINS allows *")
    if not checked:
        return Outcome.skip("this stack has no HTTP API")
    return Outcome.verdict(offenders, f"{checked} CORS setting(s) checked")


def api_routes_authorized(context: StaticContext) -> Outcome:
    routes = context.stack.of_type("AWS::ApiGatewayV2::Route")
    if not routes:
        return Outcome.skip("this stack has no HTTP API route")
    offenders, notes = [], []
    for logical_id, route in routes.items():
        props = Stack.props(route)
        key = props.get("RouteKey")
        if props.get("AuthorizationType") in ("JWT", "CUSTOM", "AWS_IAM"):
            continue
        if key in config.PUBLIC_ROUTES:
            notes.append(f"{key}: public because {config.PUBLIC_ROUTES[key]}")
        else:
            offenders.append(f"{logical_id} ({key}): no authorizer")
    return Outcome.verdict(offenders, _checked(len(routes), "route"), notes)


def api_stage_throttled(context: StaticContext) -> Outcome:
    stages = context.stack.of_type(STAGE)
    if not stages:
        return Outcome.skip("this stack has no HTTP API stage")
    offenders = [
        f"{lid}: DefaultRouteSettings lacks ThrottlingRateLimit and ThrottlingBurstLimit"
        for lid, stage in stages.items()
        if not _throttled_stage(context.stack, context.stack.target(Stack.props(stage).get("ApiId")))
    ]
    return Outcome.verdict(offenders, _checked(len(stages), "stage"))


def api_access_log_no_personal_data(context: StaticContext) -> Outcome:
    stages = context.stack.of_type(STAGE)
    if not stages:
        return Outcome.skip("this stack has no HTTP API stage")
    offenders = []
    for logical_id, stage in stages.items():
        settings = Stack.props(stage).get("AccessLogSettings") or {}
        if not settings.get("DestinationArn"):
            offenders.append(f"{logical_id}: no access log")
            continue
        fields = [f for f in PERSONAL_LOG_FIELDS if f in str(settings.get("Format", ""))]
        if fields:
            offenders.append(f"{logical_id}: access log records {', '.join(fields)}")
    return Outcome.verdict(offenders, _checked(len(stages), "stage"))


# Keys and buckets -----------------------------------------------------------------------------


def kms_keys_rotated(context: StaticContext) -> Outcome:
    keys = context.stack.of_type("AWS::KMS::Key")
    if not keys:
        return Outcome.skip("this stack has no KMS key")
    offenders = [
        f"{lid}: EnableKeyRotation is not true"
        for lid, key in keys.items()
        if Stack.props(key).get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
        and Stack.props(key).get("EnableKeyRotation") is not True
    ]
    return Outcome.verdict(offenders, _checked(len(keys), "key"))


def buckets_encrypted(context: StaticContext) -> Outcome:
    stack = context.stack
    buckets = stack.of_type(BUCKET)
    if not buckets:
        return Outcome.skip("this stack has no S3 bucket")
    offenders = []
    for logical_id, bucket in buckets.items():
        rules = as_list(
            (Stack.props(bucket).get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration")
        )
        defaults = [rule.get("ServerSideEncryptionByDefault") or {} for rule in rules]
        kms = [d for d in defaults if d.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse")]
        problem = stack.key_problem(kms[0].get("KMSMasterKeyID")) if kms else "not encrypted with KMS"
        if problem:
            offenders.append(f"{logical_id}: {problem}")
    return Outcome.verdict(offenders, _checked(len(buckets), "bucket"))


def _tls_only(stack: Stack, bucket_id: str) -> bool:
    for policy in stack.of_type("AWS::S3::BucketPolicy").values():
        props = Stack.props(policy)
        if stack.target(props.get("Bucket")) != bucket_id:
            continue
        for statement in as_list((props.get("PolicyDocument") or {}).get("Statement")):
            secure = ((statement.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")
            if statement.get("Effect") == "Deny" and str(secure).lower() == "false":
                return True
    return False


def buckets_private(context: StaticContext) -> Outcome:
    stack = context.stack
    buckets = stack.of_type(BUCKET)
    if not buckets:
        return Outcome.skip("this stack has no S3 bucket")
    flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    offenders = []
    for logical_id, bucket in buckets.items():
        block = Stack.props(bucket).get("PublicAccessBlockConfiguration") or {}
        missing = [flag for flag in flags if block.get(flag) is not True]
        if missing:
            offenders.append(f"{logical_id}: public access not blocked ({', '.join(missing)})")
        if not _tls_only(stack, logical_id):
            offenders.append(f"{logical_id}: no bucket policy denying requests without TLS")
    return Outcome.verdict(offenders, _checked(len(buckets), "bucket"))


def audit_buckets(stack: Stack) -> dict[str, Resource]:
    """The audit trail buckets: those tagged purpose=audit-trail, else those named for the audit."""
    buckets = stack.of_type(BUCKET)
    tagged = {
        lid: bucket
        for lid, bucket in buckets.items()
        if any(
            isinstance(tag, dict) and tag.get("Key") == "purpose" and tag.get("Value") == "audit-trail"
            for tag in as_list(Stack.props(bucket).get("Tags"))
        )
    }
    if tagged:
        return tagged
    return {
        lid: bucket
        for lid, bucket in buckets.items()
        if "audit" in lid.lower() or "audit" in str(Stack.props(bucket).get("BucketName", "")).lower()
    }


def _retention(bucket: Resource) -> dict[str, Any]:
    lock = Stack.props(bucket).get("ObjectLockConfiguration") or {}
    retention: dict[str, Any] = (lock.get("Rule") or {}).get("DefaultRetention") or {}
    return retention


def teardown_retention(bucket: Resource, stage: str) -> bool:
    """True for a stage other than prod whose archive chose GOVERNANCE mode, so it can be torn down."""
    return stage != PRODUCTION_STAGE and _retention(bucket).get("Mode") == "GOVERNANCE"


def audit_bucket_problems(bucket: Resource, stage: str = PRODUCTION_STAGE) -> list[str]:
    """What keeps a bucket from being a write-once archive for the records' retention period."""
    props = Stack.props(bucket)
    lock = props.get("ObjectLockConfiguration") or {}
    retention = _retention(bucket)
    found = []
    if props.get("ObjectLockEnabled") is not True or lock.get("ObjectLockEnabled") != "Enabled":
        found.append("Object Lock is not enabled")
    if not teardown_retention(bucket, stage):
        if retention.get("Mode") != "COMPLIANCE":
            found.append(f"default retention mode is {retention.get('Mode', 'not set')}, not COMPLIANCE")
        years = retention.get("Years") or 0
        days = retention.get("Days") or 0
        if max(years * 365, days) < config.RECORDS_RETENTION_YEARS * 365:
            found.append(f"default retention is shorter than {config.RECORDS_RETENTION_YEARS} years")
    if (props.get("VersioningConfiguration") or {}).get("Status") != "Enabled":
        found.append("versioning is not enabled")
    return found


def teardown_notes(buckets: dict[str, Resource], stage: str) -> list[str]:
    """The accepted exception of a stage whose archive can be torn down, with its retention."""
    notes = []
    for lid, bucket in buckets.items():
        if teardown_retention(bucket, stage):
            kept = ", ".join(
                f"{value} {unit.lower().removesuffix('s') if value == 1 else unit.lower()}"
                for unit, value in _retention(bucket).items()
                if unit != "Mode"
            )
            notes.append(
                f"{lid}: stage {stage} keeps versions in GOVERNANCE mode ({kept or 'no default retention'}) "
                f"so it can be torn down (params.{stage}.auditArchiveRetention); "
                f"{PRODUCTION_STAGE} must use COMPLIANCE"
            )
    return notes


def audit_bucket_object_lock(context: StaticContext) -> Outcome:
    buckets = audit_buckets(context.stack)
    if not buckets:
        return Outcome.verdict(["no audit trail bucket in this stack"], "audit trail buckets")
    offenders = [
        f"{lid}: {problem}"
        for lid, bucket in buckets.items()
        for problem in audit_bucket_problems(bucket, context.stage)
    ]
    return Outcome.verdict(
        offenders,
        f"{len(buckets)} audit bucket(s) against COMPLIANCE for {config.RECORDS_RETENTION_YEARS} years",
        teardown_notes(buckets, context.stage),
    )


# Alarms ---------------------------------------------------------------------------------------


def _alarm_metrics(alarm: Resource) -> Iterator[tuple[str, dict[str, Any]]]:
    """(metric name, dimensions) of an alarm, including the metrics of a metric-math alarm."""
    props = Stack.props(alarm)
    metrics = [props] + [
        (m.get("MetricStat") or {}).get("Metric") or {} for m in as_list(props.get("Metrics"))
    ]
    for metric in metrics:
        if metric.get("MetricName"):
            dimensions = {d.get("Name"): d.get("Value") for d in as_list(metric.get("Dimensions"))}
            yield metric["MetricName"], dimensions


def _watched(stack: Stack, alarms: dict[str, Resource], metrics: set[str], dimension: str) -> set[Any]:
    """Logical ids (or literal names) that some alarm on one of these metrics watches."""
    watched: set[Any] = set()
    for alarm in alarms.values():
        for name, dimensions in _alarm_metrics(alarm):
            if name in metrics and dimension in dimensions:
                value = dimensions[dimension]
                watched.add(stack.target(value) or _dump(value))
    return watched


def _missing_alarms(context: StaticContext) -> Outcome | None:
    if context.stack.of_type(ALARM):
        return None
    return Outcome.verdict(["no CloudWatch alarm in this stack"], "alarms")


def alarms_cover_failures(context: StaticContext) -> Outcome:
    """Errors and throttles of every function, depth of every DLQ, latency of every HTTP API."""
    missing = _missing_alarms(context)
    if missing:
        return missing
    stack = context.stack
    alarms = stack.of_type(ALARM)
    offenders = []
    for metric in ("Errors", "Throttles"):
        watched = _watched(stack, alarms, {metric}, "FunctionName")
        for logical_id, function in stack.of_type(FUNCTION).items():
            name = _dump(Stack.props(function).get("FunctionName"))
            if logical_id not in watched and name not in watched:
                offenders.append(f"{logical_id}: no alarm on {metric}")
    depth = _watched(stack, alarms, {"ApproximateNumberOfMessagesVisible"}, "QueueName")
    offenders += [f"{q}: no alarm on its depth" for q in sorted(dead_letter_queues(stack) - depth)]
    latency = _watched(stack, alarms, {"Latency", "IntegrationLatency"}, "ApiId")
    offenders += [f"{api}: no alarm on latency" for api in stack.of_type(HTTP_API) if api not in latency]
    return Outcome.verdict(offenders, _checked(len(alarms), "alarm"))


def alarms_notify_alert_topic(context: StaticContext) -> Outcome:
    missing = _missing_alarms(context)
    if missing:
        return missing
    stack = context.stack
    alarms = stack.of_type(ALARM)
    offenders = [
        f"{lid}: AlarmActions do not notify an SNS topic of this stack"
        for lid, alarm in alarms.items()
        if not any(stack.target_of_type(a, TOPIC) for a in as_list(Stack.props(alarm).get("AlarmActions")))
    ]
    return Outcome.verdict(offenders, _checked(len(alarms), "alarm"))


# Residency ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _residency(serverless_yml: Path, text: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The region block and what tools/residency.py finds wrong with it (once per file content)."""
    block = region_block(serverless_yml)
    return block, tuple(problems(block))


def region_residency(context: StaticContext) -> Outcome:
    path = context.project / "serverless.yml"
    block, found_in_block = _residency(path, path.read_text(encoding="utf-8"))
    found = list(found_in_block)
    regions = {match for text in strings(context.stack.template) for match in ARN_REGION.findall(text)}
    found += [f"the stack names resources in {region}" for region in sorted(regions - {block["name"]})]
    return Outcome.verdict(found, f"region {block['name']} against jurisdiction {block['jurisdiction']}")
