"""The stack this project deploys, read from the definitions `osls` packages, and its local copy in moto.

One source, two readings of it:
- the packaged CloudFormation template (.serverless/cloudformation-template-update-stack.json, written
  by `make package`) when it is at least as new as serverless.yml: exactly what a deploy creates;
- otherwise serverless.yml itself: the `resources` section (tables, queues, bus and rules, which the
  framework copies into the template as they are), and each function's handler, environment and SQS
  events, with the framework's variables (${self:...}, ${sls:stage}, ${param:...}) resolved.

A local run creates only what moto needs to stand in for the cloud: DynamoDB tables, SQS queues,
EventBridge buses and rules with their targets, S3 buckets, SNS topics, and the SSM SecureString
parameters the functions may read (secrets made outside the stack, which a local run fills with random
values).
Functions run as local processes (tools/aws/dev.py); IAM roles, KMS keys, log groups, alarms, the
deployment bucket and the HTTP API are not created (the dev server stands in for the HTTP API and its
JWT authorizer), nor are rules that only trigger functions on a schedule.

    python -m tools.aws.stack [--stage dev] [--source auto|packaged|serverless.yml]   # what a local run uses
    python -m tools.aws.stack --compare   # after make package: both readings agree
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from tests.support.tables import TABLE_PROPERTIES, api_schema

from tools import cfn_yaml
from tools.aws import SOURCES
from tools.local import LocalSetupError
from tools.project import PROJECT_ROOT

SERVERLESS_YML = PROJECT_ROOT / "serverless.yml"
PACKAGED_TEMPLATE = PROJECT_ROOT / ".serverless" / "cloudformation-template-update-stack.json"
# What osls packaged: its resolved service, whose provider.stage says which stage the package is for.
PACKAGED_STATE = PROJECT_ROOT / ".serverless" / "serverless-state.json"
# serverless-wsgi's entry point: the function that serves custom.wsgi.app.
WSGI_HANDLER = "wsgi_handler.handler"
# The account id moto answers with.
LOCAL_ACCOUNT_ID = "123456789012"

TABLE = "AWS::DynamoDB::Table"
QUEUE = "AWS::SQS::Queue"
EVENT_BUS = "AWS::Events::EventBus"
RULE = "AWS::Events::Rule"
BUCKET = "AWS::S3::Bucket"
TOPIC = "AWS::SNS::Topic"
# What a local run creates (in the order that their references allow).
LOCAL_TYPES = (TABLE, QUEUE, EVENT_BUS, RULE, BUCKET, TOPIC)
# CloudFormation properties of AWS::SQS::Queue that are SQS attributes moto understands. The KMS key
# is left out: keys are not created locally.
QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
)
# The framework's deployment bucket holds the zips of a deploy; a local run has none.
FRAMEWORK_ONLY = frozenset({"ServerlessDeploymentBucket"})
TARGET_PROPERTIES = ("Id", "Arn", "Input", "InputPath", "DeadLetterConfig", "RetryPolicy", "SqsParameters")
# ${source:path} and ${source:path, 'fallback'}; innermost first, so nested variables resolve.
FRAMEWORK_VARIABLE = re.compile(r"\$\{([^${}]+)\}")
FRAMEWORK_SOURCE = re.compile(r"^\s*(self|sls|opt|param|env):")
MAX_VARIABLE_DEPTH = 20


class StackError(LocalSetupError):
    """The stack cannot be read or created locally; the message says what to change."""


@dataclass(frozen=True)
class QueueSource:
    """An SQS queue that triggers a function (an SQS event source mapping)."""

    queue: str  # logical id
    batch_size: int = 10


@dataclass(frozen=True)
class Function:
    """A deployable function as the stack defines it."""

    name: str  # as in serverless.yml: api, sessionActivity
    handler: str
    environment: dict[str, Any]  # CloudFormation values (Ref, Fn::GetAtt, ...)
    sources: tuple[QueueSource, ...] = ()
    streams: tuple[str, ...] = ()  # logical ids of the tables whose stream triggers it
    layers: tuple[Any, ...] = ()
    artifact: str | None = None  # its zip in .serverless/ (packaged template only)

    @property
    def is_api(self) -> bool:
        return self.handler == WSGI_HANDLER


@dataclass(frozen=True)
class StackDefinition:
    """The resources and functions of the stack, and where they were read from."""

    source: Path
    packaged: bool
    region: str
    resources: dict[str, dict[str, Any]]
    functions: tuple[Function, ...]
    wsgi_app: str  # custom.wsgi.app, e.g. src/<package>.api.aws.app
    # ARNs (CloudFormation values) of the SSM parameters a function may read: secrets made outside the
    # stack (docs), which a local run fills with random values.
    parameter_arns: tuple[Any, ...] = ()
    # Every scope an HTTP API route's JWT authorizer asks for (e.g. wallet:credit).
    route_scopes: tuple[str, ...] = ()
    # The template's Conditions (the stage's params decide them: PrivateNetworking, Edge), for Fn::If.
    conditions: dict[str, Any] = field(default_factory=dict)

    @property
    def source_label(self) -> str:
        return "the packaged template" if self.packaged else "serverless.yml"

    def function(self, name: str) -> Function:
        for function in self.functions:
            if function.name == name:
                return function
        raise StackError(f"the stack has no function {name!r}")

    @property
    def api(self) -> Function:
        for function in self.functions:
            if function.is_api:
                return function
        raise StackError(f"no function has the handler {WSGI_HANDLER} (serverless-wsgi's)")

    @property
    def workers(self) -> tuple[Function, ...]:
        return tuple(function for function in self.functions if function.sources)

    @property
    def artifacts_dir(self) -> Path:
        return self.source.parent


def wsgi_target(wsgi_app: str) -> tuple[str, str, str]:
    """(folder, module, attribute) of custom.wsgi.app, read the way serverless-wsgi's handler reads it."""
    path, _, attribute = wsgi_app.rpartition(".")
    folder, _, module = path.rpartition("/")
    return folder, module, attribute


def handler_target(handler: str) -> tuple[str, str]:
    """(module, attribute) of a Lambda handler such as <package>/handlers/session_activity.handler."""
    path, _, attribute = handler.rpartition(".")
    return path.replace("/", "."), attribute


def load(stage: str = "dev", source: str = "auto") -> StackDefinition:
    """The stack from the packaged template if it is current (or `source` says so), else serverless.yml."""
    if source not in SOURCES:
        raise StackError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    document = read_serverless_yml()
    variables = FrameworkVariables(document, stage)
    if source == "packaged" and not PACKAGED_TEMPLATE.exists():
        raise StackError(f"{PACKAGED_TEMPLATE.relative_to(PROJECT_ROOT)} does not exist: run make package")
    if source == "packaged" and packaged_stage(PACKAGED_STATE) != stage:
        raise StackError(
            f"the package in .serverless/ is for stage {packaged_stage(PACKAGED_STATE)!r}, not {stage!r}: "
            f"run make package STAGE={stage}"
        )
    if source == "packaged" or (source == "auto" and packaged_is_current(stage)):
        return _from_packaged_template(document, variables)
    return _from_serverless_yml(document, variables)


def packaged_stage(state: Path) -> str | None:
    """The stage osls packaged .serverless/ for (None without a readable package state)."""
    try:
        stage = json.loads(state.read_text(encoding="utf-8"))["service"]["provider"]["stage"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return stage if isinstance(stage, str) else None


def packaged_is_current(
    stage: str,
    *,
    template: Path = PACKAGED_TEMPLATE,
    state: Path = PACKAGED_STATE,
    config: Path = SERVERLESS_YML,
) -> bool:
    """Whether the package is this stage's and newer than serverless.yml (`make audit` leaves the last
    stage's package behind, so a package of another stage is not this stage's stack)."""
    return (
        template.exists()
        and template.stat().st_mtime >= config.stat().st_mtime
        and packaged_stage(state) == stage
    )


def read_serverless_yml() -> dict[str, Any]:
    loaded = cfn_yaml.load_file(SERVERLESS_YML)
    if not isinstance(loaded, dict):
        raise StackError("serverless.yml is not a mapping")
    return loaded


def _from_packaged_template(document: dict[str, Any], variables: FrameworkVariables) -> StackDefinition:
    template = json.loads(PACKAGED_TEMPLATE.read_text(encoding="utf-8"))
    resources: dict[str, dict[str, Any]] = template.get("Resources", {})
    sources: dict[str, list[QueueSource]] = {}
    streams: dict[str, list[str]] = {}
    for resource in resources.values():
        if resource.get("Type") != "AWS::Lambda::EventSourceMapping":
            continue
        properties = resource["Properties"]
        source = _logical_id(properties["EventSourceArn"])
        function_id = _logical_id(properties["FunctionName"])
        if resources.get(source, {}).get("Type") == TABLE:
            streams.setdefault(function_id, []).append(source)
        if resources.get(source, {}).get("Type") != QUEUE:
            continue
        sources.setdefault(function_id, []).append(QueueSource(source, int(properties.get("BatchSize", 10))))
    functions = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        properties = resource["Properties"]
        functions.append(
            Function(
                name=_function_name(logical_id),
                handler=properties["Handler"],
                environment=dict(properties.get("Environment", {}).get("Variables", {})),
                sources=tuple(sources.get(logical_id, ())),
                streams=tuple(streams.get(logical_id, ())),
                layers=tuple(properties.get("Layers", ())),
                artifact=PurePosixPath(properties["Code"]["S3Key"]).name,
            )
        )
    statements = [
        statement
        for resource in resources.values()
        if resource.get("Type") == "AWS::IAM::Role"
        for policy in resource.get("Properties", {}).get("Policies", [])
        for statement in policy.get("PolicyDocument", {}).get("Statement", [])
    ]
    return StackDefinition(
        source=PACKAGED_TEMPLATE,
        packaged=True,
        conditions=template.get("Conditions") or {},
        region=str(variables.resolve(document["provider"]["region"])),
        resources=resources,
        functions=tuple(functions),
        wsgi_app=str(variables.resolve(document["custom"]["wsgi"]["app"])),
        parameter_arns=_parameters_read(statements),
        route_scopes=_sorted_unique(
            scope
            for resource in resources.values()
            if resource.get("Type") == "AWS::ApiGatewayV2::Route"
            for scope in resource.get("Properties", {}).get("AuthorizationScopes") or []
        ),
    )


def _from_serverless_yml(document: dict[str, Any], variables: FrameworkVariables) -> StackDefinition:
    sections = document.get("resources") or {}
    resources: dict[str, dict[str, Any]] = {}
    conditions: dict[str, Any] = {}
    for section in sections if isinstance(sections, list) else [sections]:
        resources.update(variables.resolve((section or {}).get("Resources") or {}))
        conditions.update(variables.resolve((section or {}).get("Conditions") or {}))
    provider_environment = document["provider"].get("environment") or {}
    functions = []
    for name, spec in (document.get("functions") or {}).items():
        queues = []
        tables = [
            _logical_id(variables.resolve(event["stream"]["arn"]))
            for event in spec.get("events") or []
            if isinstance(event, dict) and isinstance(event.get("stream"), dict)
        ]
        for event in spec.get("events") or []:
            sqs = event.get("sqs") if isinstance(event, dict) else None
            if sqs is None:
                continue
            arn = sqs["arn"] if isinstance(sqs, dict) else sqs
            batch_size = sqs.get("batchSize", 10) if isinstance(sqs, dict) else 10
            queues.append(QueueSource(_logical_id(variables.resolve(arn)), int(batch_size)))
        functions.append(
            Function(
                name=name,
                handler=spec["handler"],
                environment=_as_lambda_variables(
                    variables.resolve({**provider_environment, **(spec.get("environment") or {})})
                ),
                sources=tuple(queues),
                streams=tuple(tables),
                layers=tuple(variables.resolve(spec.get("layers") or [])),
            )
        )
    statements = list(((document["provider"].get("iam") or {}).get("role") or {}).get("statements") or [])
    for spec in (document.get("functions") or {}).values():
        statements.extend(spec.get("iamRoleStatements") or [])
    return StackDefinition(
        source=SERVERLESS_YML,
        packaged=False,
        conditions=conditions,
        region=str(variables.resolve(document["provider"]["region"])),
        resources=resources,
        functions=tuple(functions),
        wsgi_app=str(variables.resolve(document["custom"]["wsgi"]["app"])),
        parameter_arns=_parameters_read(variables.resolve(statements)),
        route_scopes=_sorted_unique(
            scope
            for spec in (document.get("functions") or {}).values()
            for event in spec.get("events") or []
            if isinstance(event, dict) and isinstance(event.get("httpApi"), dict)
            for scope in (event["httpApi"].get("authorizer") or {}).get("scopes") or []
        ),
    )


def _sorted_unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def _parameters_read(statements: list[dict[str, Any]]) -> tuple[Any, ...]:
    """The resources of the statements that allow ssm:GetParameter(s)."""
    found: list[Any] = []
    for statement in statements:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") == "Allow" and {"ssm:GetParameter", "ssm:GetParameters"} & set(actions):
            resource = statement.get("Resource", [])
            found.extend(resource if isinstance(resource, list) else [resource])
    return tuple(found)


def _logical_id(reference: Any) -> str:
    """The logical id in {"Ref": X} or {"Fn::GetAtt": [X, attribute]}."""
    if isinstance(reference, dict) and len(reference) == 1:
        ((kind, argument),) = reference.items()
        if kind == "Ref" and isinstance(argument, str):
            return argument
        if kind == "Fn::GetAtt":
            return str(argument[0] if isinstance(argument, list) else argument.split(".", 1)[0])
    raise StackError(f"expected a Ref or Fn::GetAtt of a resource in the stack, found {reference!r}")


def _function_name(logical_id: str) -> str:
    """The serverless.yml name of a function from its logical id (the framework's naming, reversed)."""
    name = logical_id.removesuffix("LambdaFunction").replace("Dash", "-").replace("Underscore", "_")
    return name[:1].lower() + name[1:]


class FrameworkVariables:
    """Resolves the Serverless Framework variables a stack definition uses, for one stage."""

    def __init__(self, document: dict[str, Any], stage: str) -> None:
        self.document = document
        self.stage = stage

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, str):
            return value
        position = 0
        # Each pass replaces a variable or steps over one that is not the framework's.
        for _ in range(MAX_VARIABLE_DEPTH * (value.count("${") + 1)):
            match = FRAMEWORK_VARIABLE.search(value, position)
            if match is None:
                return value
            if not FRAMEWORK_SOURCE.match(match.group(1)):
                position = match.end()  # ${AWS::Region}, ${Resource.Attr}: Fn::Sub's, not the framework's
                continue
            replacement = self._lookup(match.group(1))
            if match.group(0) == value:
                return self.resolve(replacement)  # a whole-value variable keeps its type (e.g. a list)
            value = value[: match.start()] + str(self.resolve(replacement)) + value[match.end() :]
            position = 0  # the replacement may complete an enclosing variable
        raise StackError(f"variables nested too deeply in {value[:200]!r}")

    def _lookup(self, expression: str) -> Any:
        reference, _, fallback = expression.partition(",")
        reference = reference.strip()
        kind, _, path = reference.partition(":")
        value: Any = None
        if reference in ("sls:stage", "opt:stage"):
            value = self.stage
        elif kind == "self":
            value = self.document
            for part in path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
        elif kind == "param":
            params = self.document.get("params") or {}
            value = (params.get(self.stage) or {}).get(path, (params.get("default") or {}).get(path))
        elif kind == "env":
            value = os.environ.get(path)
        if value is None and fallback.strip():
            value = fallback.strip().strip("'\"")
        if value is None:
            raise StackError("cannot resolve ${" + expression + "} locally")
        return value


@dataclass
class LocalStack:
    """The stack's tables, queues, buses and rules as created in a moto server."""

    definition: StackDefinition
    local_ids: frozenset[str] = frozenset()  # what is created locally
    refs: dict[str, str] = field(default_factory=dict)  # logical id -> what Ref returns
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)  # (logical id, name) -> value
    created: dict[str, list[str]] = field(default_factory=dict)  # type -> logical ids
    not_created: dict[str, list[str]] = field(default_factory=dict)  # type -> logical ids
    parameters: dict[str, str] = field(default_factory=dict)  # SSM SecureString name -> this run's value

    def resolve(self, value: Any) -> Any:
        """A CloudFormation value with Ref, Fn::GetAtt, Fn::Join and Fn::Sub resolved locally."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key == "Fn::GetAtt":
                logical_id, name = argument if isinstance(argument, list) else argument.split(".", 1)
                return self._attribute(logical_id, name)
            if key == "Fn::Join":
                separator, items = argument
                return separator.join(str(item) for item in self.resolve(items))
            if key == "Fn::Sub":
                return self._sub(argument)
            if key == "Fn::If":
                name, when_true, when_false = argument
                return self.resolve(when_true if self.condition(name) else when_false)
            if key.startswith("Fn::"):
                raise StackError(f"{key} is not supported by the local run (tools/aws/stack.py)")
        return {key: self.resolve(item) for key, item in value.items()}

    def condition(self, name: str) -> bool:
        """Whether one of the template's Conditions holds for the stage (Fn::Equals, And, Or, Not)."""
        if name not in self.definition.conditions:
            raise StackError(f"condition {name} is not in the stack's Conditions")
        return self._holds(self.definition.conditions[name])

    def _holds(self, expression: Any) -> bool:
        ((key, argument),) = expression.items()
        if key == "Condition":
            return self.condition(argument)
        if key == "Fn::Equals":
            left, right = (self.resolve(item) for item in argument)
            return str(left).lower() == str(right).lower()
        if key == "Fn::And":
            return all(self._holds(item) for item in argument)
        if key == "Fn::Or":
            return any(self._holds(item) for item in argument)
        if key == "Fn::Not":
            return not self._holds(argument[0])
        raise StackError(f"{key} in a condition is not supported by the local run (tools/aws/stack.py)")

    def environment(self, function: Function) -> dict[str, str]:
        """The function's environment variables with their references resolved."""
        return {name: str(self.resolve(value)) for name, value in function.environment.items()}

    def queue_url(self, logical_id: str) -> str:
        return self._ref(logical_id)

    def table_name(self, logical_id: str) -> str:
        return self._ref(logical_id)

    def dead_letter_queue(self, logical_id: str) -> str | None:
        """The logical id of a queue's dead-letter queue (its RedrivePolicy), if it has one."""
        policy = (self.definition.resources[logical_id].get("Properties") or {}).get("RedrivePolicy") or {}
        target = policy.get("deadLetterTargetArn")
        return None if target is None else _logical_id(target)

    def arn(self, logical_id: str) -> str:
        return self._attribute(logical_id, "Arn")

    def created_summary(self) -> str:
        """What the local run created, by type."""
        created = [f"{len(ids)} {_short_type(kind)}" for kind, ids in self.created.items()]
        if self.parameters:
            created.append(f"{len(self.parameters)} SSM SecureString (random value)")
        return ", ".join(created) or "nothing"

    def not_created_summary(self) -> str:
        """What only the cloud has, by type."""
        return (
            ", ".join(f"{len(ids)} {_short_type(kind)}" for kind, ids in sorted(self.not_created.items()))
            or "nothing"
        )

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.definition.region,
            "AWS::AccountId": LOCAL_ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::StackName": "local",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name not in self.refs:
            raise StackError(self._missing(name))
        return self.refs[name]

    def _attribute(self, logical_id: str, name: str) -> str:
        if (logical_id, name) not in self.attributes:
            raise StackError(self._missing(logical_id, name))
        return self.attributes[(logical_id, name)]

    def _sub(self, argument: Any) -> str:
        text, names = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in names:
                return str(self.resolve(names[name]))
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self._attribute(logical_id, attribute)
            return self._ref(name)

        return re.sub(r"\$\{([^}]+)\}", substitute, text)

    def _missing(self, logical_id: str, attribute: str | None = None) -> str:
        what = logical_id if attribute is None else f"{logical_id}.{attribute}"
        kind = self.definition.resources.get(logical_id, {}).get("Type")
        if kind is None:
            return f"{what} is not a resource of the stack"
        return f"{what} ({kind}) is not created by the local run; only {', '.join(LOCAL_TYPES)} are"


def create_local_stack(definition: StackDefinition, client: Callable[[str], Any]) -> LocalStack:
    """Create the definition's tables, queues, buses and rules with `client(service_name)`."""
    local = LocalStack(definition, local_ids=frozenset(_local_resources(definition.resources)))
    creators: dict[str, Callable[[LocalStack, str, dict[str, Any], Any], None]] = {
        TABLE: _create_table,
        QUEUE: _create_queue,
        EVENT_BUS: _create_event_bus,
        RULE: _create_rule,
        BUCKET: _create_bucket,
        TOPIC: _create_topic,
    }
    services = {
        TABLE: "dynamodb",
        QUEUE: "sqs",
        EVENT_BUS: "events",
        RULE: "events",
        BUCKET: "s3",
        TOPIC: "sns",
    }
    for logical_id, resource in definition.resources.items():
        if logical_id not in local.local_ids:
            local.not_created.setdefault(str(resource.get("Type")), []).append(logical_id)
    for logical_id in _creation_order(definition.resources):
        resource = definition.resources[logical_id]
        kind = resource["Type"]
        creators[kind](local, logical_id, resource.get("Properties") or {}, client(services[kind]))
        local.created.setdefault(kind, []).append(logical_id)
    for arn in definition.parameter_arns:
        _, found, name = str(local.resolve(arn)).partition(":parameter")
        if found and "*" not in name and name not in local.parameters:
            # Random for each run, like the local JWT key: nothing outside this run can sign with it.
            local.parameters[name] = secrets.token_hex(32)
            client("ssm").put_parameter(Name=name, Value=local.parameters[name], Type="SecureString")
    return local


def _creation_order(resources: dict[str, dict[str, Any]]) -> list[str]:
    """The locally created resources, each after the ones it refers to."""
    local_ids = list(_local_resources(resources))
    pending = {logical_id: _references(resources[logical_id]) & set(local_ids) for logical_id in local_ids}
    order: list[str] = []
    for _ in range(len(local_ids)):
        ready = [logical_id for logical_id, needs in pending.items() if needs <= set(order)]
        if not ready:
            break
        order.extend(ready)
        for logical_id in ready:
            del pending[logical_id]
    if pending:
        raise StackError(f"circular references between {', '.join(sorted(pending))}")
    return order


def _local_resources(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The resources a local run creates: its types, except the framework's bucket and the rules that
    only trigger functions (schedules: functions are not deployed locally)."""
    candidates = {
        logical_id: resource
        for logical_id, resource in resources.items()
        if resource.get("Type") in LOCAL_TYPES and logical_id not in FRAMEWORK_ONLY
    }
    return {
        logical_id: resource
        for logical_id, resource in candidates.items()
        if resource["Type"] != RULE
        or _local_targets(resource.get("Properties") or {}, set(candidates))
        or not (resource.get("Properties") or {}).get("Targets")
    }


def _local_targets(properties: dict[str, Any], local_ids: set[str]) -> list[dict[str, Any]]:
    """A rule's targets that are resources of the local run."""
    return [
        target
        for target in properties.get("Targets", [])
        if {name for name in _references(target) if not name.startswith("AWS::")} <= local_ids
    ]


def differences(first: StackDefinition, second: StackDefinition) -> list[str]:
    """How two readings of the stack differ in what a local run uses (empty: they agree)."""
    found = []
    local = {
        definition.source_label: _local_resources(definition.resources) for definition in (first, second)
    }
    (first_label, first_resources), (second_label, second_resources) = local.items()
    for logical_id in sorted(set(first_resources) | set(second_resources)):
        if first_resources.get(logical_id) != second_resources.get(logical_id):
            found.append(f"resource {logical_id} differs between {first_label} and {second_label}")
    first_functions = {function.name: function for function in first.functions}
    second_functions = {function.name: function for function in second.functions}
    for name in sorted(set(first_functions) | set(second_functions)):
        one, other = first_functions.get(name), second_functions.get(name)
        if one is None or other is None:
            found.append(f"function {name} is in only one of {first_label} and {second_label}")
            continue
        for attribute in ("handler", "environment", "sources", "layers"):
            if getattr(one, attribute) != getattr(other, attribute):
                found.append(f"function {name}: {attribute} differs between {first_label} and {second_label}")
    if sorted(map(str, first.parameter_arns)) != sorted(map(str, second.parameter_arns)):
        found.append(f"the SSM parameters the functions read differ between {first_label} and {second_label}")
    if first.route_scopes != second.route_scopes:
        found.append(f"the routes' scopes differ between {first_label} and {second_label}")
    return found


def _references(value: Any) -> set[str]:
    found: set[str] = set()
    for key, argument in _walk(value):
        if key == "Ref" and isinstance(argument, str):
            found.add(argument)
        elif key == "Fn::GetAtt":
            found.add(argument[0] if isinstance(argument, list) else str(argument).split(".", 1)[0])
        elif key == "DependsOn":
            found.update([argument] if isinstance(argument, str) else argument)
    return found


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _create_table(local: LocalStack, logical_id: str, properties: dict[str, Any], client: Any) -> None:
    name = str(local.resolve(properties.get("TableName", logical_id)))
    wanted = {key: value for key, value in properties.items() if key in TABLE_PROPERTIES}
    schema = api_schema(local.resolve(wanted))
    table = client.create_table(TableName=name, **schema)["TableDescription"]
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification=local.resolve(ttl))
    local.refs[logical_id] = name
    local.attributes[(logical_id, "Arn")] = table["TableArn"]
    if "LatestStreamArn" in table:
        local.attributes[(logical_id, "StreamArn")] = table["LatestStreamArn"]


def _create_queue(local: LocalStack, logical_id: str, properties: dict[str, Any], client: Any) -> None:
    name = str(local.resolve(properties.get("QueueName", logical_id)))
    if properties.get("FifoQueue") and not name.endswith(".fifo"):
        name += ".fifo"
    attributes = {}
    for key in QUEUE_ATTRIBUTES:
        if key in properties:
            value = local.resolve(properties[key])
            attributes[key] = json.dumps(value) if isinstance(value, dict) else str(value).lower()
    url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    local.refs[logical_id] = url
    local.attributes.update(
        {(logical_id, "Arn"): arn, (logical_id, "QueueName"): name, (logical_id, "QueueUrl"): url}
    )


def _create_event_bus(local: LocalStack, logical_id: str, properties: dict[str, Any], client: Any) -> None:
    name = str(local.resolve(properties["Name"]))
    arn = client.create_event_bus(Name=name)["EventBusArn"]
    local.refs[logical_id] = name
    local.attributes.update({(logical_id, "Arn"): arn, (logical_id, "Name"): name})


def _create_rule(local: LocalStack, logical_id: str, properties: dict[str, Any], client: Any) -> None:
    targets = [
        {key: local.resolve(target[key]) for key in TARGET_PROPERTIES if key in target}
        for target in _local_targets(properties, set(local.local_ids))
    ]
    name = str(local.resolve(properties.get("Name", logical_id)))
    bus = str(local.resolve(properties.get("EventBusName", "default")))
    rule: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": properties.get("State", "ENABLED")}
    if "EventPattern" in properties:
        rule["EventPattern"] = json.dumps(local.resolve(properties["EventPattern"]))
    if "ScheduleExpression" in properties:
        rule["ScheduleExpression"] = properties["ScheduleExpression"]
    arn = client.put_rule(**rule)["RuleArn"]
    if targets:
        client.put_targets(Rule=name, EventBusName=bus, Targets=targets)
    local.refs[logical_id] = name if bus == "default" else f"{bus}|{name}"
    local.attributes[(logical_id, "Arn")] = arn


def _create_bucket(local: LocalStack, logical_id: str, properties: dict[str, Any], client: Any) -> None:
    # CloudFormation names an unnamed bucket <stack>-<logical id>-<random>; locally the run is the stack.
    name = str(
        local.resolve(properties.get("BucketName", f"local-{logical_id.lower()}-{uuid.uuid4().hex[:8]}"))
    )
    bucket: dict[str, Any] = {"Bucket": name}
    if local.definition.region != "us-east-1":
        bucket["CreateBucketConfiguration"] = {"LocationConstraint": local.definition.region}
    if properties.get("ObjectLockEnabled"):
        bucket["ObjectLockEnabledForBucket"] = True
    client.create_bucket(**bucket)
    if "VersioningConfiguration" in properties:
        client.put_bucket_versioning(
            Bucket=name, VersioningConfiguration=local.resolve(properties["VersioningConfiguration"])
        )
    if "ObjectLockConfiguration" in properties:
        client.put_object_lock_configuration(
            Bucket=name, ObjectLockConfiguration=local.resolve(properties["ObjectLockConfiguration"])
        )
    local.refs[logical_id] = name
    local.attributes.update(
        {(logical_id, "Arn"): f"arn:aws:s3:::{name}", (logical_id, "DomainName"): f"{name}.s3.amazonaws.com"}
    )


def _create_topic(local: LocalStack, logical_id: str, properties: dict[str, Any], client: Any) -> None:
    name = str(local.resolve(properties.get("TopicName", f"local-{logical_id}-{uuid.uuid4().hex[:8]}")))
    arn = client.create_topic(Name=name)["TopicArn"]
    local.refs[logical_id] = arn  # a topic's Ref is its ARN
    local.attributes.update({(logical_id, "TopicArn"): arn, (logical_id, "TopicName"): name})


def _short_type(kind: str) -> str:
    return kind.removeprefix("AWS::").replace("::", " ")


def main(argv: list[str] | None = None) -> int:
    """Print where the stack is read from, its functions and the resources a local run creates."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--source", choices=SOURCES, default="auto")
    parser.add_argument(
        "--compare", action="store_true", help="check that the packaged template and serverless.yml agree"
    )
    args = parser.parse_args(argv)
    try:
        if args.compare:
            found = differences(load(args.stage, "packaged"), load(args.stage, "serverless.yml"))
            print(
                "\n".join(found) or "The packaged template and serverless.yml agree on what a local run uses."
            )
            return 1 if found else 0
        definition = load(args.stage, args.source)
    except StackError as error:
        print(f"stack: {error}", file=sys.stderr)
        return 1
    source = definition.source.relative_to(PROJECT_ROOT)
    print(f"Read from {definition.source_label} ({source}), {definition.region}")
    for function in definition.functions:
        trigger = "HTTP API" if function.is_api else "not run locally (a schedule)"
        queues = ", ".join(queue.queue for queue in function.sources) or trigger
        print(f"  function {function.name:<20} {function.handler}  <- {queues}")
    for logical_id, resource in _local_resources(definition.resources).items():
        print(f"  created locally: {logical_id} ({resource['Type']})")
    return 0


def _as_lambda_variables(environment: dict[str, Any]) -> dict[str, Any]:
    """Numbers as the strings the framework writes into the template (a param such as 10000 of the YAML)."""
    return {
        name: str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        for name, value in environment.items()
    }


if __name__ == "__main__":
    sys.exit(main())
