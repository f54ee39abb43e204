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

from tools import regulation
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
        for arn in as_list(stack.resolved(Stack.props(role).get("ManagedPolicyArns"))):
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


def _condition_values(statement: dict[str, Any], key: str) -> list[Any] | None:
    """The values a statement's condition gives `key` (any operator), or None when it has none."""
    for values in (statement.get("Condition") or {}).values():
        if isinstance(values, dict) and key in values:
            return as_list(values[key])
    return None


def _publishes(statement: dict[str, Any]) -> bool:
    # Wildcard actions (events:*, *) fail iam-no-wildcard-actions already.
    actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
    return _allows(statement) and any(a.lower() == "events:putevents" for a in actions)


def iam_publishers_name_their_sources(context: StaticContext) -> Outcome:
    """Every statement that allows events:PutEvents limits events:source to named sources of the stack."""
    offenders, publishers = [], []
    for owner, statement in identity_statements(context.stack):
        if not _publishes(statement):
            continue
        publishers.append(owner)
        label = _label(owner, statement)
        operators = [
            op
            for op, values in (statement.get("Condition") or {}).items()
            if isinstance(values, dict) and "events:source" in values
        ]
        sources = _condition_values(statement, "events:source")
        if sources is None:
            offenders.append(f"{label}: events:PutEvents without an events:source condition (any source)")
            continue
        if any(not op.startswith("StringEquals") for op in operators):
            offenders.append(f"{label}: events:source by {', '.join(operators)}, not StringEquals")
        loose = [
            str(s)
            for s in sources
            if not isinstance(s, str) or "*" in s or "?" in s or not s.startswith(config.EVENT_SOURCE_PREFIX)
        ]
        if loose or not sources:
            offenders.append(
                f"{label}: events:source {', '.join(loose) or 'empty'}: name this stack's sources "
                f"({config.EVENT_SOURCE_PREFIX}<module>)"
            )
    return Outcome.verdict(offenders, _checked(len(publishers), "publishing statement"))


DYNAMODB_WRITES = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
)


def _role_statements(stack: Stack, function_id: str) -> list[dict[str, Any]]:
    role = stack.target_of_type(Stack.props(stack.resources[function_id]).get("Role"), ROLE)
    if role is None:
        return []
    return [
        statement
        for policy in as_list(Stack.props(stack.resources[role]).get("Policies"))
        for statement in as_list((policy.get("PolicyDocument") or {}).get("Statement"))
    ]


def _writes_wallet(stack: Stack, statement: dict[str, Any]) -> list[str]:
    actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
    writes = [a for a in actions if a in DYNAMODB_WRITES or a in ("dynamodb:*", "*")]
    tables = {stack.target(r) for r in as_list(statement.get("Resource"))}
    on_wallet = "WalletTable" in tables or "*" in as_list(statement.get("Resource"))
    return writes if _allows(statement) and on_wallet else []


def iam_bonus_grants_scoped(context: StaticContext) -> Outcome:
    """Bonus-granting workers write the wallet's table only as a grant does."""
    stack = context.stack
    functions = [f for f in config.BONUS_GRANTING_FUNCTIONS if f in stack.of_type(FUNCTION)]
    if not functions:
        return Outcome.verdict([], "no function of this stack grants bonuses")
    offenders = []
    for function_id in functions:
        for statement in _role_statements(stack, function_id):
            writes = _writes_wallet(stack, statement)
            if not writes:
                continue
            label = _label(function_id, statement)
            extra = [
                a
                for a in writes
                if a not in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem")
            ]
            if extra:
                offenders.append(f"{label}: {', '.join(extra)} on the wallet table (a grant never does that)")
            enclosing = _condition_values(statement, "dynamodb:EnclosingOperation")
            if enclosing is None or set(enclosing) != {"TransactWriteItems"}:
                offenders.append(
                    f"{label}: wallet writes outside TransactWriteItems (dynamodb:EnclosingOperation)"
                )
            if {"dynamodb:PutItem", "dynamodb:UpdateItem"} & set(writes):
                attributes = _condition_values(statement, "dynamodb:Attributes")
                operators = [
                    op
                    for op, values in (statement.get("Condition") or {}).items()
                    if isinstance(values, dict) and "dynamodb:Attributes" in values
                ]
                if attributes is None or operators != ["ForAllValues:StringEquals"]:
                    offenders.append(
                        f"{label}: writes any attribute of the wallet table (no ForAllValues:StringEquals "
                        "dynamodb:Attributes): balances and protection items included"
                    )
                elif set(attributes) - config.BONUS_GRANT_ATTRIBUTES:
                    more = ", ".join(sorted(set(attributes) - config.BONUS_GRANT_ATTRIBUTES))
                    offenders.append(f"{label}: may write {more}, which a grant never writes")
    return Outcome.verdict(offenders, _checked(len(functions), "bonus-granting function"))


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
    # CloudFront is global and takes its web ACL and certificate from us-east-1 only: those two ARNs
    # name where the edge's configuration lives, not where player data is kept.
    # (Every distribution the template holds: one whose condition is false still names them.)
    distributions = [
        Stack.props(resource).get("DistributionConfig") or {}
        for resource in (context.stack.template.get("Resources") or {}).values()
        if resource.get("Type") == DISTRIBUTION
    ]
    edge_arns = {
        arn
        for distribution in distributions
        for arn in (
            distribution.get("WebACLId"),
            (distribution.get("ViewerCertificate") or {}).get("AcmCertificateArn"),
        )
        if isinstance(arn, str)
    }
    regions = {
        match
        for text in strings(context.stack.template)
        if text not in edge_arns
        for match in ARN_REGION.findall(text)
    }
    found += [f"the stack names resources in {region}" for region in sorted(regions - {block["name"]})]
    notes = [
        f"{arn}: CloudFront's web ACL or certificate, which AWS keeps in us-east-1"
        for arn in sorted(edge_arns)
    ]
    return Outcome.verdict(
        found, f"region {block['name']} against jurisdiction {block['jurisdiction']}", notes
    )


# Network boundaries: private networking and the edge (docs/networking.md) --------------------------

VPC = "AWS::EC2::VPC"
SUBNET = "AWS::EC2::Subnet"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
ENDPOINT = "AWS::EC2::VPCEndpoint"
DISTRIBUTION = "AWS::CloudFront::Distribution"
HEADERS_POLICY = "AWS::CloudFront::ResponseHeadersPolicy"
# Resources that give a subnet a way to the internet, or to a network outside this stack.
ROUTES_OUT = (
    "AWS::EC2::NatGateway",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::EgressOnlyInternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::TransitGatewayAttachment",
    "AWS::EC2::VPCPeeringConnection",
)
ROUTE_TARGETS = (
    "GatewayId",
    "NatGatewayId",
    "EgressOnlyInternetGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "InstanceId",
    "NetworkInterfaceId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
)
PRIVATE_NETWORKING_OFF = (
    "this stage runs without private networking (serverless.yml params privateNetworking: false): "
    "its functions are outside a VPC"
)
EDGE_OFF = "this stage has no edge (serverless.yml params edge: false): players reach the HTTP API directly"
# An HSTS max-age of at least a year (what browsers' preload lists ask for).
HSTS_MIN_SECONDS = 31_536_000


def functions_in_private_subnets(context: StaticContext) -> Outcome:
    stack = context.stack
    if not stack.of_type(VPC):
        return Outcome.skip(PRIVATE_NETWORKING_OFF)
    functions = stack.of_type(FUNCTION)
    offenders = []
    for logical_id, function in functions.items():
        network = stack.resolved(Stack.props(function).get("VpcConfig")) or {}
        subnets = as_list(network.get("SubnetIds"))
        groups = as_list(network.get("SecurityGroupIds"))
        if not subnets or not groups:
            offenders.append(
                f"{logical_id}: not in the stack's VPC (no VpcConfig subnets and security groups)"
            )
            continue
        outside = [_dump(s) for s in subnets if stack.target_of_type(s, SUBNET) is None]
        if outside:
            offenders.append(f"{logical_id}: in subnets that are not this stack's: {', '.join(outside)}")
        foreign = [_dump(g) for g in groups if stack.target_of_type(g, SECURITY_GROUP) is None]
        if foreign:
            offenders.append(f"{logical_id}: security groups that are not this stack's: {', '.join(foreign)}")
    zones = {_dump(Stack.props(s).get("AvailabilityZone")) for s in stack.of_type(SUBNET).values()}
    if len(zones) < 2:
        offenders.append(f"the stack's subnets span {len(zones)} Availability Zone(s), not two or more")
    return Outcome.verdict(offenders, _checked(len(functions), "function") + f" in {len(zones)} zones")


def no_route_to_the_internet(context: StaticContext) -> Outcome:
    stack = context.stack
    offenders = [f"{lid}: {res['Type']}" for lid, res in stack.of_type(*ROUTES_OUT).items()]
    routes = stack.of_type("AWS::EC2::Route")
    for logical_id, route in routes.items():
        targets = [key for key in ROUTE_TARGETS if Stack.props(route).get(key) is not None]
        offenders.append(f"{logical_id}: a route through {', '.join(targets) or 'an unknown target'}")
    for logical_id, subnet in stack.of_type(SUBNET).items():
        if Stack.props(subnet).get("MapPublicIpOnLaunch") is True:
            offenders.append(f"{logical_id}: gives public IP addresses (MapPublicIpOnLaunch)")
    if not stack.of_type(VPC):
        return Outcome.verdict(offenders, "no VPC on this stage; no NAT, gateway or route resource either")
    return Outcome.verdict(offenders, f"{len(routes)} route(s) beyond the local and gateway-endpoint ones")


def _scoped_to_account(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition") or {}
    return any(
        "aws:PrincipalAccount" in (values or {}) or "aws:ResourceAccount" in (values or {})
        for values in condition.values()
        if isinstance(values, dict)
    )


def endpoint_policies_scoped(context: StaticContext) -> Outcome:
    stack = context.stack
    endpoints = stack.of_type(ENDPOINT)
    if not endpoints and not stack.of_type(VPC):
        return Outcome.skip(PRIVATE_NETWORKING_OFF)
    offenders, notes = [], []
    for logical_id, endpoint in endpoints.items():
        document = Stack.props(endpoint).get("PolicyDocument")
        if not document:
            offenders.append(
                f"{logical_id}: no endpoint policy (the default allows every action on every resource)"
            )
            continue
        for statement in as_list(document.get("Statement")):
            if not _allows(statement):
                continue
            label = _label(logical_id, statement)
            actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
            if "NotAction" in statement or not actions or any(a == "*" or a.endswith(":*") for a in actions):
                offenders.append(f"{label}: allows every action ({_dump(statement.get('Action'))})")
            if "NotResource" in statement:
                offenders.append(f"{label}: NotResource allows every other resource")
            wildcard_principal = "*" in strings(statement.get("Principal"))
            if wildcard_principal and not _scoped_to_account(statement):
                offenders.append(f"{label}: any principal of any account (no aws:PrincipalAccount condition)")
            if "*" in as_list(statement.get("Resource")):
                grant = config.WILDCARD_RESOURCE_GRANTS.get("XRayTraces")
                if grant is not None and set(actions) <= grant.actions and _scoped_to_account(statement):
                    notes.append(
                        f"{label}: Resource * because {grant.reason}; this account's principals only"
                    )
                else:
                    offenders.append(f"{label}: Resource * (name this stack's resources)")
    return Outcome.verdict(offenders, _checked(len(endpoints), "VPC endpoint"), notes)


def _https_only_rules(group_id: str, group: Resource) -> Iterator[str]:
    props = Stack.props(group)
    for direction in ("SecurityGroupIngress", "SecurityGroupEgress"):
        for rule in as_list(props.get(direction)):
            protocol = str(rule.get("IpProtocol"))
            ports = (rule.get("FromPort"), rule.get("ToPort"))
            loopback_placeholder = protocol == "icmp" and rule.get("CidrIp") == "127.0.0.1/32"
            if loopback_placeholder:
                continue
            if protocol != "tcp" or [str(p) for p in ports] != ["443", "443"]:
                yield f"{group_id}: {direction} {protocol} {ports[0]}-{ports[1]}, not HTTPS (tcp 443) only"


def network_https_only(context: StaticContext) -> Outcome:
    stack = context.stack
    if not stack.of_type(VPC):
        return Outcome.skip(PRIVATE_NETWORKING_OFF)
    groups = stack.of_type(SECURITY_GROUP)
    offenders = [finding for lid, group in groups.items() for finding in _https_only_rules(lid, group)]
    for logical_id, group in groups.items():
        if not as_list(Stack.props(group).get("SecurityGroupEgress")):
            offenders.append(f"{logical_id}: no egress rules, so EC2's default allows all outbound traffic")
    for logical_id, rule in stack.of_type(
        "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"
    ).items():
        props = Stack.props(rule)
        if str(props.get("IpProtocol")) != "tcp" or [
            str(props.get("FromPort")),
            str(props.get("ToPort")),
        ] != ["443", "443"]:
            offenders.append(f"{logical_id}: a rule that is not HTTPS (tcp 443) only")
    return Outcome.verdict(offenders, _checked(len(groups), "security group"))


def _distributions(stack: Stack) -> dict[str, dict[str, Any]]:
    return {
        lid: stack.resolved(Stack.props(res).get("DistributionConfig")) or {}
        for lid, res in stack.of_type(DISTRIBUTION).items()
    }


def _is_stack_api(stack: Stack, domain: Any) -> bool:
    """Whether an origin's domain is the execute-api host of an HTTP API of this stack."""
    apis = set(stack.of_type(HTTP_API))
    if stack.references(domain) & apis:
        return True
    template = domain.get("Fn::Sub") if isinstance(domain, dict) else None
    return isinstance(template, str) and any(
        template.startswith("${" + api + "}.execute-api.") for api in apis
    )


def edge_waf_attached(context: StaticContext) -> Outcome:
    stack = context.stack
    distributions = _distributions(stack)
    if not distributions:
        return Outcome.skip(EDGE_OFF)
    offenders = []
    for logical_id, distribution in distributions.items():
        acl = distribution.get("WebACLId")
        if not acl:
            offenders.append(f"{logical_id}: no WAF web ACL (WebACLId)")
        elif isinstance(acl, str) and (":wafv2:us-east-1:" not in acl or ":global/webacl/" not in acl):
            offenders.append(f"{logical_id}: WebACLId {acl} is not a CloudFront-scope (global) WAFv2 web ACL")
        origins = as_list(distribution.get("Origins"))
        foreign = [o.get("Id") for o in origins if not _is_stack_api(stack, o.get("DomainName"))]
        if not origins or foreign:
            offenders.append(f"{logical_id}: origins that are not this stack's HTTP API: {foreign or 'none'}")
    return Outcome.verdict(offenders, _checked(len(distributions), "distribution"))


SECRET = "AWS::SecretsManager::Secret"  # noqa: S105  # pragma: allowlist secret (a resource type)
# The api function's settings of the front door (settings_api.py FrontDoorSettings).
FRONT_DOOR_HEADER = "ORIGIN_VERIFY_HEADER"
FRONT_DOOR_SECRET = "ORIGIN_VERIFY_SECRET_ID"  # noqa: S105  # pragma: allowlist secret (a variable's name)


def _secret_header(stack: Stack, origin: dict[str, Any]) -> tuple[str, str] | None:
    """(header, secret's logical id) of an origin header whose value resolves a secret of this stack."""
    for header in as_list(origin.get("OriginCustomHeaders")):
        value = header.get("HeaderValue")
        secrets = {lid for lid in stack.references(value) if stack.resources[lid].get("Type") == SECRET}
        if secrets and any("resolve:secretsmanager:" in text for text in strings(value)):
            return str(header.get("HeaderName", "")).lower(), min(secrets)
    return None


def _api_functions(stack: Stack) -> set[str]:
    """The functions the stack's HTTP API integrations invoke."""
    return {
        target
        for integration in stack.of_type("AWS::ApiGatewayV2::Integration").values()
        for target in stack.references(Stack.props(integration).get("IntegrationUri"))
        if stack.resources[target].get("Type") == FUNCTION
    }


def edge_origin_closed(context: StaticContext) -> Outcome:
    """The API's own address refuses what went around the edge: a secret header, checked by the API."""
    stack = context.stack
    distributions = _distributions(stack)
    if not distributions:
        return Outcome.skip(EDGE_OFF)
    offenders, doors = [], set()
    for logical_id, distribution in distributions.items():
        for origin in as_list(distribution.get("Origins")):
            if not _is_stack_api(stack, origin.get("DomainName")):
                continue
            door = _secret_header(stack, origin)
            if door is None:
                offenders.append(
                    f"{logical_id}: origin {origin.get('Id')} sends no header from a secret of this stack "
                    "(OriginCustomHeaders): the execute-api address serves requests that bypass the edge"
                )
            else:
                doors.add(door)
    functions = _api_functions(stack)
    for function_id in sorted(functions):
        variables = (stack.resolved(Stack.props(stack.resources[function_id]).get("Environment")) or {}).get(
            "Variables"
        ) or {}
        header = str(variables.get(FRONT_DOOR_HEADER) or "").lower()
        secret = stack.target_of_type(variables.get(FRONT_DOOR_SECRET), SECRET)
        if not header or secret is None:
            offenders.append(
                f"{function_id}: does not check the edge's header ({FRONT_DOOR_HEADER} and "
                f"{FRONT_DOOR_SECRET} naming the secret CloudFront sends)"
            )
        elif doors and (header, secret) not in doors:
            offenders.append(
                f"{function_id}: checks {header} against {secret}, not what CloudFront sends "
                f"({', '.join(f'{h} from {s}' for h, s in sorted(doors))})"
            )
    return Outcome.verdict(
        offenders, f"{len(functions)} API function(s) and " + _checked(len(distributions), "distribution")
    )


def edge_geo_restriction(context: StaticContext) -> Outcome:
    stack = context.stack
    distributions = _distributions(stack)
    if not distributions:
        return Outcome.skip(EDGE_OFF)
    allowed = set(config.EDGE_COUNTRIES)
    offenders = []
    for logical_id, distribution in distributions.items():
        geo = (distribution.get("Restrictions") or {}).get("GeoRestriction") or {}
        kind, countries = geo.get("RestrictionType"), set(as_list(geo.get("Locations")))
        if not allowed:
            continue
        if kind != "whitelist" or not countries:
            offenders.append(
                f"{logical_id}: geo restriction {kind or 'missing'}; {regulation.JURISDICTION} admits only "
                f"{', '.join(sorted(allowed))}"
            )
        elif not config.EDGE_COUNTRIES_LISTED_BY_OPERATOR and not countries <= allowed:
            offenders.append(
                f"{logical_id}: admits {', '.join(sorted(countries - allowed))}, outside "
                f"{regulation.JURISDICTION}'s {', '.join(sorted(allowed))}"
            )
    checked = _checked(len(distributions), "distribution")
    if not allowed:
        return Outcome.verdict(offenders, f"{checked}; {regulation.JURISDICTION} names no licensed territory")
    return Outcome.verdict(offenders, f"{checked} against {', '.join(sorted(allowed))}")


def _headers_problems(stack: Stack, logical_id: str, behaviour: dict[str, Any]) -> Iterator[str]:
    policy_id = stack.target_of_type(behaviour.get("ResponseHeadersPolicyId"), HEADERS_POLICY)
    if policy_id is None:
        yield f"{logical_id}: no response headers policy of this stack"
        return
    config_ = stack.resolved(Stack.props(stack.resources[policy_id]).get("ResponseHeadersPolicyConfig")) or {}
    security = config_.get("SecurityHeadersConfig") or {}
    hsts = security.get("StrictTransportSecurity") or {}
    if int(hsts.get("AccessControlMaxAgeSec") or 0) < HSTS_MIN_SECONDS:
        yield f"{policy_id}: HSTS max-age {hsts.get('AccessControlMaxAgeSec', 'not set')}, under a year"
    if not security.get("ContentTypeOptions"):
        yield f"{policy_id}: no X-Content-Type-Options: nosniff"
    custom = {
        str(item.get("Header")).lower(): str(item.get("Value"))
        for item in as_list((config_.get("CustomHeadersConfig") or {}).get("Items"))
    }
    if "no-store" not in custom.get("cache-control", ""):
        yield f"{policy_id}: no Cache-Control: no-store (player data could be cached)"


def edge_tls_and_headers(context: StaticContext) -> Outcome:
    stack = context.stack
    distributions = _distributions(stack)
    if not distributions:
        return Outcome.skip(EDGE_OFF)
    offenders = []
    for logical_id, distribution in distributions.items():
        certificate = distribution.get("ViewerCertificate") or {}
        minimum = str(certificate.get("MinimumProtocolVersion", "TLSv1"))
        if certificate.get("CloudFrontDefaultCertificate") or not minimum.startswith(("TLSv1.2", "TLSv1.3")):
            offenders.append(
                f"{logical_id}: viewers may use {minimum} (TLS 1.2 or newer needs a certificate)"
            )
        behaviours = [
            distribution.get("DefaultCacheBehavior") or {},
            *as_list(distribution.get("CacheBehaviors")),
        ]
        for behaviour in behaviours:
            if behaviour.get("ViewerProtocolPolicy") not in ("https-only", "redirect-to-https"):
                offenders.append(
                    f"{logical_id}: plain HTTP allowed ({behaviour.get('ViewerProtocolPolicy')})"
                )
            offenders.extend(_headers_problems(stack, logical_id, behaviour))
        for origin in as_list(distribution.get("Origins")):
            custom = origin.get("CustomOriginConfig") or {}
            protocols = set(as_list(custom.get("OriginSSLProtocols")))
            if custom.get("OriginProtocolPolicy") != "https-only" or protocols - {"TLSv1.2"}:
                offenders.append(f"{logical_id}: origin {origin.get('Id')} not HTTPS with TLS 1.2 only")
    return Outcome.verdict(offenders, _checked(len(distributions), "distribution"))
